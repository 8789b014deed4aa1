// flatten: (C, H, W) → (C·H·W), in C, H, W order as PyTorch's flatten. A flat input passes unchanged.
package dev.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;

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

  /** Row-major (C, H, W) is already C·H·W in order: the data is the same, only the shape changes. */
  @Override
  public boolean isAlias() {
    return true;
  }

  @Override
  public void referenceForward(Ref r) {
    System.arraycopy(r.x(0), 0, r.y(), 0, r.y().length);
  }

  @Override
  public void referenceBackward(Ref r) {
    double[] dx = r.dx(0);
    if (dx == null) return;
    for (int i = 0; i < dx.length; i++) dx[i] += r.dy()[i];
  }

  @Override
  public CodeBlock javaForward(JavaGen k) {
    throw new IllegalStateException("flatten is an alias of its input and has no kernel");
  }

  @Override
  public CodeBlock javaBackward(JavaGen k) {
    throw new IllegalStateException("flatten is an alias of its input and has no kernel");
  }
}
