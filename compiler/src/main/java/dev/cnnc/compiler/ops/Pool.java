// Max and average pooling: pool(k2, s2, p0 | same) and avgpool(...). The stride defaults to the kernel.
package dev.cnnc.compiler.ops;

import java.util.List;
import java.util.OptionalLong;

/** Average pooling divides by the full window, padding included (PyTorch's count_include_pad). */
public record Pool(Shape input, Shape output, Window h, Window w, boolean max) implements Op {
  public static final String USAGE = "pool(k2, s2, p0 | same) or avgpool(...); the stride defaults to the kernel";

  static Op bindMax(Binding b) {
    return bind(b, true);
  }

  static Op bindAvg(Binding b) {
    return bind(b, false);
  }

  private static Op bind(Binding b, boolean max) {
    Args a = b.args();
    List<Long> k = a.ints("kernel", 0, 1);
    Spatial.Result win = Spatial.read(b, OptionalLong.of(2), true,
        k.isEmpty() ? OptionalLong.empty() : OptionalLong.of(k.get(0)));
    a.finish();
    if (win == null || a.failed()) return null;
    Shape out = Shape.chw(b.input().channels(), win.outH(), win.outW());
    return new Pool(b.input(), out, win.h(), win.w(), max);
  }

  @Override
  public String kind() {
    return max ? "pool" : "avgpool";
  }

  @Override
  public String describe() {
    return kind() + " " + new Spatial.Result(h, w, output.h(), output.w()).describe();
  }
}
