// Batch normalisation: bn, bn(C), bn(eps: 1e-5, momentum: 0.1). Per channel of a map, or per feature.
package dev.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import java.util.List;
import java.util.Locale;

/** Weight and bias (C), running_mean and running_var (C), as PyTorch's BatchNorm2d / BatchNorm1d. */
public record BatchNorm(Shape input, double eps, double momentum) implements Op {
  public static final String USAGE = "bn, bn(C), bn(eps: 1e-5, momentum: 0.1)";

  static Op bind(Binding b) {
    Args a = b.args();
    List<Long> c = a.ints("channels", 0, 1);
    double eps = a.number("eps").orElse(1e-5);
    double momentum = a.number("momentum").orElse(0.1);
    a.finish();
    if (a.failed()) return null;
    if (!c.isEmpty() && c.get(0) != b.input().channels()) {
      b.diagnostics().error("channel-mismatch", a.positionalSpan(0),
          "`" + b.name() + "` expects " + c.get(0) + " channels, but its input has " + b.input().channels()
              + " (" + b.input() + ")",
          "how the shape got here: " + b.journey(),
          "write `bn(" + b.input().channels() + ")`, or just `bn`");
    }
    if (!(eps > 0)) a.invalid(a.spanOf("eps"), "eps must be positive, got " + eps);
    if (!(momentum >= 0 && momentum <= 1)) a.invalid(a.spanOf("momentum"), "momentum must be within [0, 1], got " + momentum);
    return a.failed() ? null : new BatchNorm(b.input(), eps, momentum);
  }

  public int channels() {
    return input.channels();
  }

  /**
   * Whether each image gives this batch norm one value per channel (a flat input, or a 1×1 map):
   * then a training batch of one image has no variance to normalise by.
   */
  public boolean oneValuePerChannel() {
    return input.h() == 1 && input.w() == 1;
  }

  /** What one image gives it, for messages: "32 features" or "64 channels of 1×1". */
  public String valuesPerImage() {
    return input.isFlat() ? channels() + " features" : channels() + " channels of " + input.h() + "×" + input.w();
  }

  @Override
  public Shape output() {
    return input;
  }

  @Override
  public String kind() {
    return "bn";
  }

  @Override
  public String describe() {
    return String.format(Locale.ROOT, "bn eps %s", eps);
  }

  @Override
  public List<Tensor> params() {
    int[] c = {channels()};
    return List.of(new Tensor("weight", c, false, Tensor.Init.ONES), new Tensor("bias", c, false, Tensor.Init.ZEROS));
  }

  @Override
  public List<Tensor> buffers() {
    int[] c = {channels()};
    return List.of(new Tensor("running_mean", c, false, Tensor.Init.ZEROS),
        new Tensor("running_var", c, false, Tensor.Init.ONES));
  }

  @Override
  public boolean acceptsEpilogue() {
    return true;
  }

  @Override
  public boolean backwardReadsInput() {
    return true;
  }

  private int plane() {
    return input.h() * input.w();
  }

  // ---- reference ----

  /**
   * Training: x̂ = (x − mean) / √(var + eps) with the batch's per-channel mean and biased variance,
   * y = γ·x̂ + β; running_mean/var move by {@code momentum} towards the batch's (unbiased)
   * values, as PyTorch does. Inference: the running statistics replace the batch's.
   */
  @Override
  public void referenceForward(Ref r) {
    double[] x = r.x(0);
    double[] y = r.y();
    double[] gamma = r.param("weight");
    double[] beta = r.param("bias");
    double[] rm = r.buffer("running_mean");
    double[] rv = r.buffer("running_var");
    double[] mean = r.saved("mean", channels());
    double[] invstd = r.saved("invstd", channels());
    int m = r.n() * plane();
    for (int c = 0; c < channels(); c++) {
      if (r.training()) {
        double s = 0;
        for (int n = 0; n < r.n(); n++) for (int i = 0; i < plane(); i++) s += x[at(n, c, i)];
        double mu = s / m;
        double v = 0;
        for (int n = 0; n < r.n(); n++) for (int i = 0; i < plane(); i++) v += (x[at(n, c, i)] - mu) * (x[at(n, c, i)] - mu);
        v /= m;
        mean[c] = mu;
        invstd[c] = 1 / Math.sqrt(v + eps);
        rm[c] = (1 - momentum) * rm[c] + momentum * mu;
        rv[c] = (1 - momentum) * rv[c] + momentum * v * m / Math.max(1, m - 1);
      } else {
        mean[c] = rm[c];
        invstd[c] = 1 / Math.sqrt(rv[c] + eps);
      }
      for (int n = 0; n < r.n(); n++)
        for (int i = 0; i < plane(); i++) {
          y[at(n, c, i)] = gamma[c] * (x[at(n, c, i)] - mean[c]) * invstd[c] + beta[c];
        }
    }
  }

  /** dγ += Σ dy·x̂; dβ += Σ dy; dx += γ·invstd/M · (M·dy − Σ dy − x̂·Σ dy·x̂), M = N·H·W. */
  @Override
  public void referenceBackward(Ref r) {
    double[] x = r.x(0);
    double[] dy = r.dy();
    double[] dx = r.dx(0);
    double[] gamma = r.param("weight");
    double[] mean = r.saved("mean", channels());
    double[] invstd = r.saved("invstd", channels());
    double[] dgamma = r.grad("weight");
    double[] dbeta = r.grad("bias");
    int m = r.n() * plane();
    for (int c = 0; c < channels(); c++) {
      double sg = 0;
      double sgx = 0;
      for (int n = 0; n < r.n(); n++)
        for (int i = 0; i < plane(); i++) {
          sg += dy[at(n, c, i)];
          sgx += dy[at(n, c, i)] * (x[at(n, c, i)] - mean[c]) * invstd[c];
        }
      dgamma[c] += sgx;
      dbeta[c] += sg;
      if (dx == null) continue;
      for (int n = 0; n < r.n(); n++)
        for (int i = 0; i < plane(); i++) {
          double xhat = (x[at(n, c, i)] - mean[c]) * invstd[c];
          dx[at(n, c, i)] += gamma[c] * invstd[c] / m * (m * dy[at(n, c, i)] - sg - xhat * sgx);
        }
    }
  }

  private int at(int n, int c, int i) {
    return (n * channels() + c) * plane() + i;
  }

  // ---- Java kernels over channels [lo, hi): each channel's statistics span the whole batch ----

  private static final com.squareup.javapoet.ClassName SUMS = com.squareup.javapoet.ClassName.get("dev.cnnc.runtime.cpu", "Sums");

  @Override
  public boolean javaOverChannels() {
    return true;
  }

  @Override
  public CodeBlock javaForward(JavaGen k) {
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, y = $L", k.x(0), k.y());
    if (k.training()) {
      c.addStatement("final float[] mean = $L, invstd = $L", k.aux("mean", channels(), false, false),
              k.aux("invstd", channels(), false, false))
          .addStatement("final int m = batch * $L", plane());
    }
    c.beginControlFlow("for (int c = lo; c < hi; c++)");
    if (k.training()) {
      c.add("// batch statistics: two passes (mean, then squared deviations), vector sums per plane\n")
          .addStatement("double s = 0")
          .addStatement("for (int n = 0, b = c * $L; n < batch; n++, b += $L) s += $T.sum(x, b, b + $L)", plane(),
              input.size(), SUMS, plane())
          .addStatement("final float mu = (float) (s / m)")
          .addStatement("double variance = 0")
          .addStatement("for (int n = 0, b = c * $L; n < batch; n++, b += $L) variance += $T.squaredDeviations(x, b, b + $L, mu)",
              plane(), input.size(), SUMS, plane())
          .addStatement("variance /= m")
          .addStatement("final float is = (float) (1 / Math.sqrt(variance + $L))", eps)
          .addStatement("mean[c] = mu")
          .addStatement("invstd[c] = is")
          .addStatement("buffers[$L + c] = (float) ($L * buffers[$L + c] + $L * mu)",
              k.buffer("running_mean"), 1 - momentum, k.buffer("running_mean"), momentum)
          .addStatement("buffers[$L + c] = (float) ($L * buffers[$L + c] + $L * variance * m / Math.max(1, m - 1))",
              k.buffer("running_var"), 1 - momentum, k.buffer("running_var"), momentum)
          .addStatement("final float scale = params[$L + c] * is", k.param("weight"))
          .addStatement("final float shift = params[$L + c] - mu * scale", k.param("bias"));
    } else {
      c.add("// inference: the running statistics\n")
          .addStatement("final float scale = params[$L + c] / (float) Math.sqrt(buffers[$L + c] + $L)",
              k.param("weight"), k.buffer("running_var"), eps)
          .addStatement("final float shift = params[$L + c] - buffers[$L + c] * scale", k.param("bias"), k.buffer("running_mean"));
    }
    c.beginControlFlow("for (int n = 0; n < batch; n++)")
        .addStatement("final int b = n * $L + c * $L", input.size(), plane())
        .beginControlFlow("for (int i = b; i < b + $L; i++)", plane())
        .addStatement("final float v = x[i] * scale + shift")
        .addStatement("y[i] = $L", k.epilogue() == null ? "v" : k.epilogue().javaApply("v"))
        .endControlFlow().endControlFlow();
    return c.endControlFlow().build();
  }

  @Override
  public CodeBlock javaBackward(JavaGen k) {
    String dx = k.dx(0);
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, dy = $L", k.x(0), k.dy())
        .addStatement("final float[] mean = $L, invstd = $L", k.aux("mean", channels(), false, false),
            k.aux("invstd", channels(), false, false))
        .addStatement("final float[] sums = $L", k.aux("gradsums", 2L * channels(), false, false))
        .addStatement("final int m = batch * $L", plane());
    if (dx != null) c.addStatement("final float[] dx = $L", dx);
    c.beginControlFlow("for (int c = lo; c < hi; c++)")
        .addStatement("final float mu = mean[c], is = invstd[c]")
        .addStatement("double sg = 0, sgx = 0")
        .beginControlFlow("for (int n = 0, b = c * $L; n < batch; n++, b += $L)", plane(), input.size());
    if (k.epilogue() != null && k.epilogue().isRelu()) {
      c.add("// relu' applied in place (dy is read only here) in the same pass as the sums\n")
          .addStatement("$T.reluGradientSums(dy, $L, x, b, b + $L, mu, sums, 2 * c)", SUMS, k.y(), plane());
    } else {
      if (k.epilogue() != null) {
        c.add("// $L' applied in place: dy is read only here\n", k.epilogue().describe())
            .addStatement("for (int i = b; i < b + $L; i++) dy[i] = $L", plane(),
                k.epilogue().javaGradFromOutput("dy[i]", k.y() + "[i]"));
      }
      c.addStatement("$T.gradientSums(dy, x, b, b + $L, mu, sums, 2 * c)", SUMS, plane());
    }
    c.addStatement("sg += sums[2 * c]")
        .addStatement("sgx += sums[2 * c + 1]")
        .endControlFlow()
        .add("// Σ dy·x̂ = invstd · Σ dy·(x − mean)\n")
        .addStatement("sgx *= is")
        .addStatement("gradients[$L + c] = (float) sgx", k.param("weight"))
        .addStatement("gradients[$L + c] = (float) sg", k.param("bias"));
    if (dx != null) {
      String op = k.accumulate(0) ? "+=" : "=";
      c.add("// dx $L γ·invstd/M · (M·dy − Σdy − x̂·Σdy·x̂)\n", op)
          .addStatement("final float k1 = params[$L + c] * is / m", k.param("weight"))
          .addStatement("final float a = (float) sg, bx = (float) sgx")
          .beginControlFlow("for (int n = 0; n < batch; n++)")
          .addStatement("final int b = n * $L + c * $L", input.size(), plane())
          .beginControlFlow("for (int i = b; i < b + $L; i++)", plane())
          .addStatement("dx[i] $L k1 * (m * dy[i] - a - (x[i] - mu) * is * bx)", op)
          .endControlFlow().endControlFlow();
    }
    return c.endControlFlow().build();
  }

  // ---- CUDA. Statistics span the batch, so each reduction takes two or three kernels: stripes()
  // threads per channel sum every stripes()-th element (reads coalesced across the stripes); where
  // that is more than FINISH, FINISH threads per channel add the stripes in FINISH groups; then one
  // thread per channel adds the last FINISH in order. Sums are in double, as on the CPU. ----

  /** Partial sums per channel that the finishing thread of a channel adds. */
  private static final int FINISH = 256;
  /** Threads the first pass aims for: a few hundred per SM of an H100 or H200 (132 SMs). */
  private static final int FIRST_PASS_THREADS = 1 << 16;

  /**
   * Stripes of the first pass per channel: 256 for 256 channels or more, up to 4,096 for 16. With
   * 256 stripes, a 16-channel layer (ResNet-20's first stage) ran its statistics on 16 blocks, an
   * eighth of an H200's SMs (counted from the launch plan, not timed).
   */
  private int stripes() {
    return Math.max(FINISH, Integer.highestOneBit(Math.max(1, FIRST_PASS_THREADS / channels())));
  }

  /**
   * The first pass's partial (s, q) pairs folded to FINISH per channel, as a kernel adding
   * stripes() / FINISH of them per thread in order; the partials themselves where there are FINISH.
   */
  private CudaGen.Buf foldPartials(CudaGen k, CudaGen.Buf partial, String role) {
    int c = channels();
    int stripes = stripes();
    if (stripes == FINISH) return partial;
    int per = stripes / FINISH;
    CudaGen.Buf folded = k.scratch(1, 2L * c * FINISH, false, 0, dev.cnnc.runtime.cuda.CudaProgram.CType.DOUBLE);
    k.kernel(role, "the " + stripes + " partial sums of each channel added " + per + " at a time, to " + FINISH
            + "; one thread per (channel, group)")
        .in("partial", partial).out("folded", folded).threads(0, (long) c * FINISH)
        .body(new CudaCode()
            .line("const int c = t / %d, k = t %% %d;", FINISH, FINISH)
            .line("double s = 0, q = 0;")
            .open("for (int r = 0; r < %d; r++)", per)
            .line("const int j = c * %d + r * %d + k;", stripes, FINISH)
            .line("s += partial[2 * j];")
            .line("q += partial[2 * j + 1];")
            .close()
            .line("folded[2 * t] = s;")
            .line("folded[2 * t + 1] = q;"));
    return folded;
  }

  @Override
  public void cudaForward(CudaGen k) {
    var F = dev.cnnc.runtime.cuda.CudaProgram.CType.FLOAT;
    int c = channels();
    String act = k.epilogue() == null ? "v" : k.epilogue().cudaApply("v");
    if (!k.training()) {
      k.kernel("forward", "y = " + act.replace("v", "γ·(x − running_mean)/√(running_var + eps) + β")
              + " with the running statistics; one thread per element")
          .in("x", k.x(0)).in("gamma", k.param("weight")).in("beta", k.param("bias"))
          .in("mean", k.buffer("running_mean")).in("var", k.buffer("running_var")).out("y", k.y())
          .threads(input.size(), 0)
          .body(new CudaCode()
              .line("const int c = t / %d %% %d;", plane(), c)
              .line("const float scale = gamma[c] / (float) sqrt((double) var[c] + %s);", CudaCode.d(eps))
              .line("const float v = x[t] * scale + (beta[c] - mean[c] * scale);")
              .line("y[t] = %s;", act));
      return;
    }
    CudaGen.Buf partial = k.scratch(2L * c * stripes(), false, 0, dev.cnnc.runtime.cuda.CudaProgram.CType.DOUBLE);
    CudaGen.Buf mean = k.aux("mean", c, false, 0, F);
    CudaGen.Buf invstd = k.aux("invstd", c, false, 0, F);
    CudaGen.Buf scaleShift = k.scratch(2L * c, false, 0, F);
    k.kernel("forward_stats", "partial Σx and Σx² of each channel, " + stripes() + " stripes per channel")
        .in("x", k.x(0)).out("partial", partial).threads(0, (long) c * stripes())
        .body(stripes(new CudaCode())
            .line("s += x[i];")
            .line("q += (double) x[i] * x[i];")
            .close()
            .line("partial[2 * t] = s;")
            .line("partial[2 * t + 1] = q;"));
    CudaGen.Buf sums = foldPartials(k, partial, "forward_fold");
    k.kernel("forward_finish", "batch mean and variance of each channel; running statistics move by momentum "
            + momentum + "; one thread per channel")
        .in("partial", sums).in("gamma", k.param("weight")).in("beta", k.param("bias"))
        .out("running_mean", k.buffer("running_mean")).out("running_var", k.buffer("running_var"))
        .out("mean", mean).out("invstd", invstd).out("scale_shift", scaleShift).threads(0, c)
        .body(new CudaCode()
            .line("double s = 0, q = 0;")
            .open("for (int k = 0; k < %d; k++)", FINISH)
            .line("s += partial[2 * (t * %d + k)];", FINISH)
            .line("q += partial[2 * (t * %d + k) + 1];", FINISH)
            .close()
            .line("const int m = n * %d;", plane())
            .line("const double mu = s / m;")
            .line("const double v = fmax(q / m - mu * mu, 0.0);")
            .line("const float is = (float) (1 / sqrt(v + %s));", CudaCode.d(eps))
            .line("mean[t] = (float) mu;")
            .line("invstd[t] = is;")
            .line("running_mean[t] = (float) (%s * running_mean[t] + %s * mu);", CudaCode.d(1 - momentum), CudaCode.d(momentum))
            .line("running_var[t] = (float) (%s * running_var[t] + %s * v * m / (m > 1 ? m - 1 : 1));",
                CudaCode.d(1 - momentum), CudaCode.d(momentum))
            .line("const float scale = gamma[t] * is;")
            .line("scale_shift[2 * t] = scale;")
            .line("scale_shift[2 * t + 1] = beta[t] - (float) mu * scale;"));
    k.kernel("forward", "y = " + act.replace("v", "x·scale + shift") + " with the batch statistics; one thread per element")
        .in("x", k.x(0)).in("scale_shift", scaleShift).out("y", k.y()).threads(input.size(), 0)
        .body(new CudaCode()
            .line("const int c = t / %d %% %d;", plane(), c)
            .line("const float v = x[t] * scale_shift[2 * c] + scale_shift[2 * c + 1];")
            .line("y[t] = %s;", act));
  }

  /**
   * Declares the sums s and q and opens the loop of thread t = channel·stripes() + k over every
   * stripes()-th element i of its channel; the caller adds to s and q and closes the loop.
   */
  private CudaCode stripes(CudaCode c) {
    int stripes = stripes();
    c.line("const int c = t / %d, k = t %% %d;", stripes, stripes)
        .line("double s = 0, q = 0;")
        .open("for (int j = k; j < n * %d; j += %d)", plane(), stripes)
        .line("const int i = j / %d * %d + c * %d + j %% %d;", plane(), input.size(), plane(), plane());
    return c;
  }

  @Override
  public void cudaBackward(CudaGen k) {
    var F = dev.cnnc.runtime.cuda.CudaProgram.CType.FLOAT;
    int c = channels();
    CudaGen.Buf partial = k.scratch(2L * c * stripes(), false, 0, dev.cnnc.runtime.cuda.CudaProgram.CType.DOUBLE);
    CudaGen.Buf mean = k.aux("mean", c, false, 0, F);
    CudaGen.Buf invstd = k.aux("invstd", c, false, 0, F);
    CudaGen.Buf sums = k.scratch(2L * c, false, 0, F);
    CudaGen.Kernel reduce = k.kernel("backward_stats", "partial Σdy and Σdy·x̂ of each channel"
        + (k.epilogue() == null ? "" : ", after dy = " + k.epilogue().describe() + "'(y) · dy in place"));
    reduce.in("x", k.x(0)).out("dy", k.dy());
    if (k.epilogue() != null) reduce.in("y", k.y());
    reduce.in("mean", mean).in("invstd", invstd).out("partial", partial);
    CudaCode r = stripes(new CudaCode());
    if (k.epilogue() != null) r.line("dy[i] = %s;", k.epilogue().cudaGradFromOutput("dy[i]", "y[i]"));
    r.line("s += dy[i];")
        .line("q += dy[i] * (x[i] - mean[c]) * invstd[c];")
        .close()
        .line("partial[2 * t] = s;")
        .line("partial[2 * t + 1] = q;");
    reduce.threads(0, (long) c * stripes()).body(r);
    CudaGen.Buf folded = foldPartials(k, partial, "backward_fold");
    k.kernel("backward_finish", "dγ = Σdy·x̂ and dβ = Σdy; one thread per channel")
        .in("partial", folded).out("dgamma", k.grad("weight")).out("dbeta", k.grad("bias")).out("sums", sums)
        .threads(0, c)
        .body(new CudaCode()
            .line("double s = 0, q = 0;")
            .open("for (int k = 0; k < %d; k++)", FINISH)
            .line("s += partial[2 * (t * %d + k)];", FINISH)
            .line("q += partial[2 * (t * %d + k) + 1];", FINISH)
            .close()
            .line("dgamma[t] = (float) q;")
            .line("dbeta[t] = (float) s;")
            .line("sums[2 * t] = (float) s;")
            .line("sums[2 * t + 1] = (float) q;"));
    if (k.dx(0) == null) return;
    String op = k.accumulate(0) ? "+=" : "=";
    k.kernel("backward_dx", "dx " + op + " γ·invstd/M · (M·dy − Σdy − x̂·Σdy·x̂), M = N·H·W; one thread per element")
        .in("x", k.x(0)).in("dy", k.dy()).in("gamma", k.param("weight")).in("mean", mean).in("invstd", invstd)
        .in("sums", sums).out("dx", k.dx(0)).threads(input.size(), 0)
        .body(new CudaCode()
            .line("const int c = t / %d %% %d;", plane(), c)
            .line("const int m = n * %d;", plane())
            .line("const float k1 = gamma[c] * invstd[c] / m;")
            .line("dx[t] %s k1 * (m * dy[t] - sums[2 * c] - (x[t] - mean[c]) * invstd[c] * sums[2 * c + 1]);", op));
  }
}
