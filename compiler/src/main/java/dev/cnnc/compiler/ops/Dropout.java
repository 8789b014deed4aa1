// Inverted dropout: dropout(0.5) zeroes each element with probability p while training and
// scales the rest by 1/(1 − p); inference passes values through.
package dev.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;

import dev.cnnc.runtime.cpu.Rng;
import java.util.Locale;

public record Dropout(Shape input, double p) implements Op {
  public static final String USAGE = "dropout(0.5) or dropout(p: 0.5)";

  static Op bind(Binding b) {
    Args a = b.args();
    double p = a.realOrNamed("probability", "p").orElse(0.5);
    a.finish();
    if (!(p >= 0 && p < 1)) a.invalid(a.call(), "dropout probability must be in [0, 1), got " + p);
    return a.failed() ? null : new Dropout(b.input(), p);
  }

  @Override
  public Shape output() {
    return input;
  }

  @Override
  public String kind() {
    return "dropout";
  }

  @Override
  public String describe() {
    return String.format(Locale.ROOT, "dropout %s", p);
  }

  /** Element i of the batch is kept when its counter-based uniform number is at least p. */
  private boolean kept(long seed, int stream, long i) {
    return Rng.uniform(seed, stream, i) >= (float) p;
  }

  /** Training: y = x / (1 − p) where kept, else 0. Inference: y = x. */
  @Override
  public void referenceForward(Ref r) {
    double[] x = r.x(0);
    double[] y = r.y();
    for (int i = 0; i < y.length; i++) {
      y[i] = !r.training() ? x[i] : kept(r.seed(), r.stream(), i) ? x[i] / (1 - p) : 0;
    }
  }

  /** dx += dy / (1 − p) where kept. */
  @Override
  public void referenceBackward(Ref r) {
    double[] dx = r.dx(0);
    if (dx == null) return;
    for (int i = 0; i < dx.length; i++) {
      if (kept(r.seed(), r.stream(), i)) dx[i] += r.dy()[i] / (1 - p);
    }
  }

  @Override
  public CodeBlock javaForward(JavaGen k) {
    int size = (int) input.size();
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, y = $L", k.x(0), k.y())
        .beginControlFlow("for (int i = lo * $L; i < hi * $L; i++)", size, size);
    if (!k.training()) c.addStatement("y[i] = x[i]");
    else c.addStatement("y[i] = $L", kept(k, "x[i]"));
    return c.endControlFlow().build();
  }

  @Override
  public CodeBlock javaBackward(JavaGen k) {
    int size = (int) input.size();
    String dx = k.dx(0);
    if (dx == null) return CodeBlock.of("// the network input needs no gradient\n");
    return CodeBlock.builder()
        .addStatement("final float[] dy = $L, dx = $L", k.dy(), dx)
        .add("// the same counter-based numbers as the forward pass: the mask is recomputed, not stored\n")
        .beginControlFlow("for (int i = lo * $L; i < hi * $L; i++)", size, size)
        .addStatement("final float gv = $L", kept(k, "dy[i]"))
        .addStatement("dx[i] $L gv", k.accumulate(0) ? "+=" : "=")
        .endControlFlow()
        .build();
  }

  /**
   * {@code v} / (1 − p) where element i is kept, else +0: the scaled value's bits ANDed with
   * Rng.keepMask (all ones or zero), the same choice as uniform ≥ p without a branch.
   */
  private CodeBlock kept(JavaGen k, String v) {
    return CodeBlock.of("Float.intBitsToFloat(Float.floatToRawIntBits($L * $L) & $T.keepMask(seed, $L, i, $L))", v,
        Activation.floatLiteral(1 / (1 - p)), Rng.class, k.node().name().hashCode(), Rng.threshold((float) p));
  }

  // ---- CUDA: the mask is recomputed from (seed, stream, index), never stored ----

  @Override
  public void cudaForward(CudaGen k) {
    CudaGen.Kernel kernel = k.kernel("forward", k.training()
        ? "keep each element with probability " + (1 - p) + " and scale it by 1/(1 − p)" : "inference passes values through")
        .in("x", k.x(0)).out("y", k.y());
    if (!k.training()) {
      kernel.threads(input.size(), 0).body(new CudaCode().line("y[t] = x[t];"));
      return;
    }
    kernel.value("seed", dev.cnnc.runtime.cuda.CudaProgram.Scalar.SEED).threads(input.size(), 0)
        .body(new CudaCode().line("y[t] = cnnc_uniform(seed, %s, t) >= %s ? x[t] * %s : 0.f;", cudaInt(k.node().name().hashCode()),
            Activation.floatLiteral(p), Activation.floatLiteral(1 / (1 - p))));
  }

  @Override
  public void cudaBackward(CudaGen k) {
    if (k.dx(0) == null) return;
    String op = k.accumulate(0) ? "+=" : "=";
    k.kernel("backward", "dx " + op + " dy / (1 − p) where the forward kept the element")
        .in("dy", k.dy()).out("dx", k.dx(0)).value("seed", dev.cnnc.runtime.cuda.CudaProgram.Scalar.SEED)
        .threads(input.size(), 0)
        .body(new CudaCode().line("dx[t] %s cnnc_uniform(seed, %s, t) >= %s ? dy[t] * %s : 0.f;", op,
            cudaInt(k.node().name().hashCode()), Activation.floatLiteral(p), Activation.floatLiteral(1 / (1 - p))));
  }

  /** An int literal C reads as an int, Integer.MIN_VALUE included. */
  private static String cudaInt(int v) {
    return v == Integer.MIN_VALUE ? "(-2147483647 - 1)" : Integer.toString(v);
  }
}
