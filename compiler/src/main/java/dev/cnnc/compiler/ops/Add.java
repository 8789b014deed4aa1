// The join of a residual block: the branch's output plus the shortcut's.
package dev.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;

public record Add(Shape input) implements Op {
  @Override
  public Shape output() {
    return input;
  }

  @Override
  public String kind() {
    return "add";
  }

  @Override
  public String describe() {
    return "add";
  }

  @Override
  public boolean acceptsEpilogue() {
    return true;
  }

  /** y = x0 + x1. */
  @Override
  public void referenceForward(Ref r) {
    double[] a = r.x(0);
    double[] b = r.x(1);
    double[] y = r.y();
    for (int i = 0; i < y.length; i++) y[i] = a[i] + b[i];
  }

  /** dx0 += dy; dx1 += dy. */
  @Override
  public void referenceBackward(Ref r) {
    for (int j = 0; j < 2; j++) {
      double[] dx = r.dx(j);
      if (dx == null) continue;
      for (int i = 0; i < dx.length; i++) dx[i] += r.dy()[i];
    }
  }

  @Override
  public CodeBlock javaForward(JavaGen k) {
    int size = (int) input.size();
    return CodeBlock.builder()
        .addStatement("final float[] a = $L, b = $L, y = $L", k.x(0), k.x(1), k.y())
        .beginControlFlow("for (int i = lo * $L; i < hi * $L; i++)", size, size)
        .addStatement("y[i] = $L", k.epilogue() == null ? "a[i] + b[i]" : k.epilogue().javaApply("(a[i] + b[i])"))
        .endControlFlow()
        .build();
  }

  @Override
  public CodeBlock javaBackward(JavaGen k) {
    int size = (int) input.size();
    CodeBlock.Builder c = CodeBlock.builder().addStatement("final float[] dy = $L", k.dy())
        .beginControlFlow("for (int i = lo * $L; i < hi * $L; i++)", size, size);
    c.addStatement("final float gv = $L", k.epilogue() == null ? "dy[i]" : k.epilogue().javaGradFromOutput("dy[i]", k.y() + "[i]"));
    for (int j = 0; j < 2; j++) {
      if (k.dx(j) != null) c.addStatement("$L[i] $L gv", k.dx(j), k.accumulate(j) ? "+=" : "=");
    }
    return c.endControlFlow().build();
  }

  // ---- CUDA: one thread per element ----

  @Override
  public void cudaForward(CudaGen k) {
    String sum = "a[t] + b[t]";
    k.kernel("forward", "y = " + (k.epilogue() == null ? "a + b" : k.epilogue().cudaApply("a + b")))
        .in("a", k.x(0)).in("b", k.x(1)).out("y", k.y()).threads(input.size(), 0)
        .body(new CudaCode().line("y[t] = %s;", k.epilogue() == null ? sum : k.epilogue().cudaApply(sum)));
  }

  @Override
  public void cudaBackward(CudaGen k) {
    if (k.dx(0) == null && k.dx(1) == null) return;
    CudaGen.Kernel kernel = k.kernel("backward", "the gradient flows unchanged"
        + (k.epilogue() == null ? "" : " through " + k.epilogue().describe() + "'") + " to both inputs");
    kernel.in("dy", k.dy());
    if (k.epilogue() != null) kernel.in("y", k.y());
    CudaCode c = new CudaCode().line("const float g = %s;",
        k.epilogue() == null ? "dy[t]" : k.epilogue().cudaGradFromOutput("dy[t]", "y[t]"));
    for (int j = 0; j < 2; j++) {
      if (k.dx(j) == null) continue;
      kernel.out("dx" + j, k.dx(j));
      c.line("dx%d[t] %s g;", j, k.accumulate(j) ? "+=" : "=");
    }
    kernel.threads(input.size(), 0).body(c);
  }
}
