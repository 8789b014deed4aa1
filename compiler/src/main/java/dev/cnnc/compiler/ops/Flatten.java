// flatten: (C, H, W) → (C·H·W), in C, H, W order as PyTorch's flatten. A flat input passes unchanged.
package dev.cnnc.compiler.ops;

public record Flatten(Shape input, Shape output) implements Op {
  public static final String USAGE = "flatten";

  static Op bind(Binding b) {
    b.args().finish();
    if (b.args().failed()) return null;
    return new Flatten(b.input(), Shape.flat((int) b.input().size()));
  }

  @Override
  public String kind() {
    return "flatten";
  }

  @Override
  public String describe() {
    return "flatten";
  }
}
