// gap: global average pooling, (C, H, W) → (C), the mean of each channel's map.
package dev.cnnc.compiler.ops;

public record GlobalAvgPool(Shape input, Shape output) implements Op {
  public static final String USAGE = "gap";

  static Op bind(Binding b) {
    b.args().finish();
    if (b.args().failed()) return null;
    if (!b.input().isMap()) {
      b.error("needs-map", "`" + b.name() + "` (gap) needs a C×H×W input, but its input is a flat vector of "
          + b.input().channels() + " features", "put `gap` before `flatten` and `fc`");
      return null;
    }
    return new GlobalAvgPool(b.input(), Shape.flat(b.input().channels()));
  }

  @Override
  public String kind() {
    return "gap";
  }

  @Override
  public String describe() {
    return "gap";
  }
}
