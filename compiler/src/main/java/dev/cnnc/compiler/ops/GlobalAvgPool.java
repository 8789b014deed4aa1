// gap: global average pooling, (C, H, W) → (C), the mean of each channel's map.
package dev.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;

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

  private int plane() {
    return input.h() * input.w();
  }

  /** y[n, c] = mean over h, w of x[n, c, h, w]. */
  @Override
  public void referenceForward(Ref r) {
    double[] x = r.x(0);
    double[] y = r.y();
    for (int i = 0; i < y.length; i++) {
      double s = 0;
      for (int j = 0; j < plane(); j++) s += x[i * plane() + j];
      y[i] = s / plane();
    }
  }

  /** dx[n, c, h, w] += dy[n, c] / (H·W). */
  @Override
  public void referenceBackward(Ref r) {
    double[] dy = r.dy();
    double[] dx = r.dx(0);
    if (dx == null) return;
    for (int i = 0; i < dy.length; i++) for (int j = 0; j < plane(); j++) dx[i * plane() + j] += dy[i] / plane();
  }

  @Override
  public CodeBlock javaForward(JavaGen k) {
    return CodeBlock.builder()
        .addStatement("final float[] x = $L, y = $L", k.x(0), k.y())
        .beginControlFlow("for (int yi = lo * $L; yi < hi * $L; yi++)", input.channels(), input.channels())
        .addStatement("float s = 0f")
        .addStatement("for (int i = yi * $L; i < (yi + 1) * $L; i++) s += x[i]", plane(), plane())
        .addStatement("y[yi] = s * $L", Activation.floatLiteral(1.0 / plane()))
        .endControlFlow()
        .build();
  }

  @Override
  public CodeBlock javaBackward(JavaGen k) {
    String dx = k.dx(0);
    if (dx == null) return CodeBlock.of("// the network input needs no gradient\n");
    return CodeBlock.builder()
        .addStatement("final float[] dy = $L, dx = $L", k.dy(), dx)
        .beginControlFlow("for (int yi = lo * $L; yi < hi * $L; yi++)", input.channels(), input.channels())
        .addStatement("final float gv = dy[yi] * $L", Activation.floatLiteral(1.0 / plane()))
        .addStatement("for (int i = yi * $L; i < (yi + 1) * $L; i++) dx[i] $L gv", plane(), plane(),
            k.accumulate(0) ? "+=" : "=")
        .endControlFlow()
        .build();
  }

  // ---- CUDA ----

  @Override
  public void cudaForward(CudaGen k) {
    k.kernel("forward", "y[n, c] = mean of x[n, c, :, :]; one thread per (image, channel)")
        .in("x", k.x(0)).out("y", k.y()).threads(input.channels(), 0)
        .body(new CudaCode()
            .line("const float* xc = x + t * %d;", plane())
            .line("float s = 0.f;")
            .line("for (int i = 0; i < %d; i++) s += xc[i];", plane())
            .line("y[t] = s * %s;", Activation.floatLiteral(1.0 / plane())));
  }

  @Override
  public void cudaBackward(CudaGen k) {
    if (k.dx(0) == null) return;
    String op = k.accumulate(0) ? "+=" : "=";
    k.kernel("backward", "dx " + op + " dy[n, c] / (H·W); one thread per input element")
        .in("dy", k.dy()).out("dx", k.dx(0)).threads(input.size(), 0)
        .body(new CudaCode().line("dx[t] %s dy[t / %d] * %s;", op, plane(), Activation.floatLiteral(1.0 / plane())));
  }
}
