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
}
