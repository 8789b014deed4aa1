// Elementwise activations: relu, leaky_relu(a), gelu, sigmoid, tanh. Shape in = shape out.
// Generated Java calls gelu, geluGrad, sigmoid and tanh from a static import of MathFns.
// Besides its own kernels, each function gives the expressions that producers fuse as epilogues.
package dev.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import dev.cnnc.runtime.cpu.MathFns;
import java.util.Locale;

/** @param alpha the negative slope of leaky_relu; unused by the others */
public record Activation(Shape input, Fn fn, double alpha) implements Op {
  public enum Fn {
    RELU("relu"),
    LEAKY_RELU("leaky_relu"),
    GELU("gelu"),
    SIGMOID("sigmoid"),
    TANH("tanh");

    public final String word;

    Fn(String word) {
      this.word = word;
    }
  }

  public static final String USAGE = "relu, leaky_relu(0.01), gelu, sigmoid or tanh";

  /** Plain relu (not leaky): kernels with a dedicated relu path ask. */
  public boolean isRelu() {
    return fn == Fn.RELU;
  }

  static Op bind(Binding b, Fn fn) {
    double alpha = 0;
    if (fn == Fn.LEAKY_RELU) {
      alpha = b.args().realOrNamed("negative slope", "a", "slope", "negative_slope").orElse(0.01);
    }
    b.args().finish();
    return b.args().failed() ? null : new Activation(b.input(), fn, alpha);
  }

  @Override
  public Shape output() {
    return input;
  }

  @Override
  public String kind() {
    return fn.word;
  }

  @Override
  public String describe() {
    return fn == Fn.LEAKY_RELU ? String.format(Locale.ROOT, "leaky_relu %s", alpha) : fn.word;
  }

  /** Whether the derivative follows from the output alone, so a producer can fuse this activation. */
  public boolean fusable() {
    return fn != Fn.GELU;
  }

  // ---- math, in double for the reference ----

  public double apply(double v) {
    return switch (fn) {
      case RELU -> v > 0 ? v : 0;
      case LEAKY_RELU -> v > 0 ? v : alpha * v;
      case GELU -> MathFns.gelu(v);
      case SIGMOID -> MathFns.sigmoid(v);
      case TANH -> Math.tanh(v);
    };
  }

  /** d act / d v at input v. */
  public double derivative(double v) {
    return switch (fn) {
      case RELU -> v > 0 ? 1 : 0;
      case LEAKY_RELU -> v > 0 ? 1 : alpha;
      case GELU -> MathFns.geluGrad(v);
      case SIGMOID -> MathFns.sigmoid(v) * (1 - MathFns.sigmoid(v));
      case TANH -> 1 - Math.tanh(v) * Math.tanh(v);
    };
  }

  // ---- Java expressions ----

  /** The activation of float expression {@code v}. */
  public String javaApply(String v) {
    return switch (fn) {
      case RELU -> "Math.max(" + v + ", 0f)";
      // max(v, a·v) is v > 0 ? v : a·v for a slope up to 1 (min past it), and has no branch: a
      // branch on the sign of a conv's outputs goes either way at random (bn + leaky_relu on 2 M
      // values at batch 64: 6.3 ms a step with the branch)
      case LEAKY_RELU -> "Math." + (alpha <= 1 ? "max" : "min") + "(" + v + ", " + floatLiteral(alpha) + " * " + v + ")";
      case GELU -> "gelu(" + v + ")";
      case SIGMOID -> "sigmoid(" + v + ")";
      case TANH -> "tanh(" + v + ")";
    };
  }

  /** {@code g} times the derivative, written in terms of the activation's output {@code y}. */
  public String javaGradFromOutput(String g, String y) {
    return switch (fn) {
      case RELU, LEAKY_RELU -> javaGradAtSign(g, y);
      case SIGMOID -> g + " * " + y + " * (1f - " + y + ")";
      case TANH -> g + " * (1f - " + y + " * " + y + ")";
      case GELU -> throw new IllegalStateException("gelu's derivative needs its input; it is never fused");
    };
  }

  /** {@code g} times the derivative at input {@code v}. */
  public String javaGradFromInput(String g, String v) {
    return switch (fn) {
      case RELU, LEAKY_RELU -> javaGradAtSign(g, v);
      case GELU -> g + " * geluGrad(" + v + ")";
      case SIGMOID -> g + " * sigmoid(" + v + ") * (1f - sigmoid(" + v + "))";
      case TANH -> g + " * (1f - tanh(" + v + ") * tanh(" + v + "))";
    };
  }

  /**
   * g · (1 where v > 0, else the negative slope), without a branch: half the values of a layer are
   * negative in no predictable order, and a mispredicted branch per element cost more than the
   * convolution's GEMM. The factor is MathFns.heaviside(v) (1 where v > 0, else 0; with a slope a in
   * [0, 1], max(that, a)): only multiplies, min and max, which C2 vectorizes. The form before,
   * g's bits ANDed with a mask made from v's bits, it did not (float-to-int moves), and a residual
   * add's backward (dy through relu' into both branches) ran 0.44–0.52 ns an element against
   * 0.15–0.18 now (a harness, one core, 131,072 floats). g · 0 is −0.0 for a negative g, where the
   * mask gave +0.0; the sums are the same. A slope outside [0, 1] keeps the mask form.
   */
  private String javaGradAtSign(String g, String v) {
    String positive = "heaviside(" + v + ")";
    if (fn == Fn.RELU) return g + " * " + positive;
    if (alpha >= 0 && alpha <= 1) return g + " * Math.max(" + positive + ", " + floatLiteral(alpha) + ")";
    String mask = "((-Float.floatToRawIntBits(" + v + ")) >> 31)";
    return "(" + floatLiteral(alpha) + " * " + g + " + Float.intBitsToFloat(Float.floatToRawIntBits(" + floatLiteral(1 - alpha)
        + " * " + g + ") & " + mask + "))";
  }

  static String floatLiteral(double v) {
    float f = (float) v;
    if (Float.isNaN(f) || Float.isInfinite(f)) throw new IllegalArgumentException("not a finite float: " + v);
    return Float.toString(f) + "f";
  }

  // ---- reference ----

  @Override
  public boolean backwardReadsInput() {
    return true;
  }

  @Override
  public void referenceForward(Ref r) {
    double[] x = r.x(0);
    double[] y = r.y();
    for (int i = 0; i < y.length; i++) y[i] = apply(x[i]);
  }

  /** dx += dy · act'(x). */
  @Override
  public void referenceBackward(Ref r) {
    double[] x = r.x(0);
    double[] dy = r.dy();
    double[] dx = r.dx(0);
    for (int i = 0; i < dy.length; i++) dx[i] += dy[i] * derivative(x[i]);
  }

  // ---- Java kernels: over images [lo, hi) ----

  @Override
  public CodeBlock javaForward(JavaGen k) {
    int size = (int) input.size();
    return CodeBlock.builder()
        .addStatement("final float[] x = $L, y = $L", k.x(0), k.y())
        .beginControlFlow("for (int i = lo * $L; i < hi * $L; i++)", size, size)
        .addStatement("y[i] = $L", javaApply("x[i]"))
        .endControlFlow()
        .build();
  }

  @Override
  public CodeBlock javaBackward(JavaGen k) {
    int size = (int) input.size();
    String op = k.accumulate(0) ? "+=" : "=";
    if (fn == Fn.GELU && !k.accumulate(0)) {
      // See MathFns.geluGrad: C2 vectorizes a loop of either half, not one of both.
      return CodeBlock.builder()
          .addStatement("final float[] x = $L, dy = $L, dx = $L", k.x(0), k.dy(), k.dx(0))
          .add("// dx = dy · gelu'(x) = dy · (Φ(x) + x·φ(x)), in two loops that C2 vectorizes (one loop of both it does not)\n")
          .beginControlFlow("for (int i = lo * $L; i < hi * $L; i++)", size, size)
          .addStatement("dx[i] = geluCdf(x[i])")
          .endControlFlow()
          .beginControlFlow("for (int i = lo * $L; i < hi * $L; i++)", size, size)
          .addStatement("dx[i] = dy[i] * (dx[i] + geluPdfTerm(x[i]))")
          .endControlFlow()
          .build();
    }
    return CodeBlock.builder()
        .addStatement("final float[] x = $L, dy = $L, dx = $L", k.x(0), k.dy(), k.dx(0))
        .add("// dx $L dy · $L'(x)\n", op, fn.word)
        .beginControlFlow("for (int i = lo * $L; i < hi * $L; i++)", size, size)
        .addStatement("dx[i] $L $L", op, javaGradFromInput("dy[i]", "x[i]"))
        .endControlFlow()
        .build();
  }

  // ---- CUDA: expressions for fused epilogues, and kernels over every element ----

  /** The activation of float expression {@code v} in CUDA C (helpers from the generated preamble). */
  public String cudaApply(String v) {
    return switch (fn) {
      case RELU -> "cnnc_relu(" + v + ")";
      case LEAKY_RELU -> "cnnc_leaky_relu(" + v + ", " + floatLiteral(alpha) + ")";
      case GELU -> "cnnc_gelu(" + v + ")";
      case SIGMOID -> "cnnc_sigmoid(" + v + ")";
      case TANH -> "tanhf(" + v + ")";
    };
  }

  /** {@code g} times the derivative, in terms of the activation's output {@code y}, in CUDA C. */
  public String cudaGradFromOutput(String g, String y) {
    return switch (fn) {
      case RELU -> "(" + y + " > 0.f ? " + g + " : 0.f)";
      case LEAKY_RELU -> "(" + y + " > 0.f ? " + g + " : " + floatLiteral(alpha) + " * " + g + ")";
      case SIGMOID -> g + " * " + y + " * (1.f - " + y + ")";
      case TANH -> g + " * (1.f - " + y + " * " + y + ")";
      case GELU -> throw new IllegalStateException("gelu's derivative needs its input; it is never fused");
    };
  }

  /** {@code g} times the derivative at input {@code v}, in CUDA C. */
  public String cudaGradFromInput(String g, String v) {
    return switch (fn) {
      case RELU -> "(" + v + " > 0.f ? " + g + " : 0.f)";
      case LEAKY_RELU -> "(" + v + " > 0.f ? " + g + " : " + floatLiteral(alpha) + " * " + g + ")";
      case GELU -> g + " * cnnc_gelu_grad(" + v + ")";
      case SIGMOID -> g + " * cnnc_sigmoid(" + v + ") * (1.f - cnnc_sigmoid(" + v + "))";
      case TANH -> g + " * (1.f - tanhf(" + v + ") * tanhf(" + v + "))";
    };
  }

  @Override
  public void cudaForward(CudaGen k) {
    k.kernel("forward", "y = " + cudaApply("x") + ", one thread per element")
        .in("x", k.x(0)).out("y", k.y()).threads(input.size(), 0)
        .body(new CudaCode().line("y[t] = %s;", cudaApply("x[t]")));
  }

  @Override
  public void cudaBackward(CudaGen k) {
    if (k.dx(0) == null) return;
    String op = k.accumulate(0) ? "+=" : "=";
    k.kernel("backward", "dx " + op + " dy · " + fn.word + "'(x), one thread per element")
        .in("x", k.x(0)).in("dy", k.dy()).out("dx", k.dx(0)).threads(input.size(), 0)
        .body(new CudaCode().line("dx[t] %s %s;", op, cudaGradFromInput("dy[t]", "x[t]")));
  }
}
