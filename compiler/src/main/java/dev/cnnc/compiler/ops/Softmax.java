// softmax over the features of a flat input. As the last layer it fuses into the training loss.
package dev.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;

public record Softmax(Shape input) implements Op {
  public static final String USAGE = "softmax";

  static Op bind(Binding b) {
    b.args().finish();
    if (b.args().failed()) return null;
    if (!b.input().isFlat()) {
      b.error("needs-flat", "`" + b.name() + "` (softmax) needs a flat input, but its input is " + b.input(),
          "add `-> flatten` or `-> gap` before it");
      return null;
    }
    return new Softmax(b.input());
  }

  @Override
  public Shape output() {
    return input;
  }

  @Override
  public String kind() {
    return "softmax";
  }

  @Override
  public String describe() {
    return "softmax";
  }

  @Override
  public boolean backwardReadsOutput() {
    return true;
  }

  private int features() {
    return input.channels();
  }

  /** y[n, j] = exp(x[n, j] − max) / Σ exp(x[n, ·] − max). */
  @Override
  public void referenceForward(Ref r) {
    double[] x = r.x(0);
    double[] y = r.y();
    for (int n = 0; n < r.n(); n++) {
      int b = n * features();
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < features(); j++) max = Math.max(max, x[b + j]);
      double s = 0;
      for (int j = 0; j < features(); j++) s += Math.exp(x[b + j] - max);
      for (int j = 0; j < features(); j++) y[b + j] = Math.exp(x[b + j] - max) / s;
    }
  }

  /** dx[n, j] += y[n, j] · (dy[n, j] − Σ_k dy[n, k] · y[n, k]). */
  @Override
  public void referenceBackward(Ref r) {
    double[] y = r.y();
    double[] dy = r.dy();
    double[] dx = r.dx(0);
    if (dx == null) return;
    for (int n = 0; n < r.n(); n++) {
      int b = n * features();
      double dot = 0;
      for (int j = 0; j < features(); j++) dot += dy[b + j] * y[b + j];
      for (int j = 0; j < features(); j++) dx[b + j] += y[b + j] * (dy[b + j] - dot);
    }
  }

  @Override
  public CodeBlock javaForward(JavaGen k) {
    return CodeBlock.builder()
        .addStatement("final float[] x = $L, y = $L", k.x(0), k.y())
        .beginControlFlow("for (int n = lo; n < hi; n++)")
        .addStatement("final int b = n * $L", features())
        .addStatement("float max = Float.NEGATIVE_INFINITY")
        .addStatement("for (int j = b; j < b + $L; j++) max = Math.max(max, x[j])", features())
        .addStatement("double s = 0")
        .beginControlFlow("for (int j = b; j < b + $L; j++)", features())
        .addStatement("y[j] = (float) Math.exp(x[j] - max)")
        .addStatement("s += y[j]")
        .endControlFlow()
        .addStatement("final float inv = (float) (1 / s)")
        .addStatement("for (int j = b; j < b + $L; j++) y[j] *= inv", features())
        .endControlFlow()
        .build();
  }

  @Override
  public CodeBlock javaBackward(JavaGen k) {
    String dx = k.dx(0);
    if (dx == null) return CodeBlock.of("// the network input needs no gradient\n");
    return CodeBlock.builder()
        .addStatement("final float[] y = $L, dy = $L, dx = $L", k.y(), k.dy(), dx)
        .beginControlFlow("for (int n = lo; n < hi; n++)")
        .addStatement("final int b = n * $L", features())
        .addStatement("float dot = 0f")
        .addStatement("for (int j = b; j < b + $L; j++) dot += dy[j] * y[j]", features())
        .addStatement("for (int j = b; j < b + $L; j++) dx[j] $L y[j] * (dy[j] - dot)", features(), k.accumulate(0) ? "+=" : "=")
        .endControlFlow()
        .build();
  }

  // ---- CUDA: one thread per image's row ----

  @Override
  public void cudaForward(CudaGen k) {
    int f = features();
    k.kernel("forward", "y = softmax(x) over each row of " + f)
        .in("x", k.x(0)).out("y", k.y()).threads(1, 0)
        .body(new CudaCode()
            .line("const float* xr = x + t * %d;", f)
            .line("float* yr = y + t * %d;", f)
            .line("float max = xr[0];")
            .line("for (int j = 1; j < %d; j++) max = cnnc_max(max, xr[j]);", f)
            .line("double s = 0;")
            .open("for (int j = 0; j < %d; j++)", f)
            .line("yr[j] = expf(xr[j] - max);")
            .line("s += yr[j];")
            .close()
            .line("const float inv = (float) (1 / s);")
            .line("for (int j = 0; j < %d; j++) yr[j] *= inv;", f));
  }

  @Override
  public void cudaBackward(CudaGen k) {
    if (k.dx(0) == null) return;
    int f = features();
    String op = k.accumulate(0) ? "+=" : "=";
    k.kernel("backward", "dx " + op + " y · (dy − Σ dy·y), one thread per row")
        .in("y", k.y()).in("dy", k.dy()).out("dx", k.dx(0)).threads(1, 0)
        .body(new CudaCode()
            .line("const int b = t * %d;", f)
            .line("float dot = 0.f;")
            .line("for (int j = b; j < b + %d; j++) dot += dy[j] * y[j];", f)
            .line("for (int j = b; j < b + %d; j++) dx[j] %s y[j] * (dy[j] - dot);", f, op));
  }
}
