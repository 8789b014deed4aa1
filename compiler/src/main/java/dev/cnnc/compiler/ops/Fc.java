// Fully connected layer: fc(in, out, nobias) or fc(out). Needs a flat input.
package dev.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import java.util.ArrayList;
import java.util.List;

/** Weight (out, in) and optional bias (out), as PyTorch's Linear. */
public record Fc(Shape input, Shape output, boolean bias) implements Op {
  public static final String USAGE = "fc(in, out, nobias) or fc(out) to infer the input size";

  static Op bind(Binding b) {
    Args a = b.args();
    List<Long> sizes = a.ints("in, out", 1, 2);
    boolean bias = a.bias();
    a.finish();
    if (a.failed() || sizes.isEmpty()) return null;
    long out = sizes.get(sizes.size() - 1);
    if (out < 1) {
      a.invalid(a.positionalSpan(sizes.size() - 1), "`" + b.name() + "` needs at least one output, got " + out);
      return null;
    }
    Shape in = b.input();
    if (in.isMap()) {
      b.error("needs-flat",
          "`" + b.name() + "` needs a flat input, but its input is " + in + " (C×H×W)",
          "add `-> flatten` before it: flatten gives " + in.channels() + "·" + in.h() + "·" + in.w()
              + " = " + in.size() + " features",
          "or `-> gap` (global average pooling) for " + in.channels() + " features");
      in = Shape.flat((int) in.size());
    }
    if (sizes.size() == 2 && sizes.get(0) != in.size()) {
      b.diagnostics().add(dev.cnnc.compiler.diag.Severity.ERROR, "fc-input-mismatch", a.call(),
          "`" + b.name() + "` expects " + sizes.get(0) + " input features, but its input has " + in.size(),
          explainFeatures(b, in, sizes.get(0), out));
    }
    if (!Limits.check(b, "weight", Limits.product(out, in.size()))) return null;
    return new Fc(in, Shape.flat((int) out), bias);
  }

  /** Help lines that show where the feature count comes from: the seed article's bug, explained. */
  private static List<String> explainFeatures(Binding b, Shape in, long declared, long out) {
    List<String> help = new ArrayList<>();
    help.add("how the shape got here: " + b.journey());
    Shape map = lastMap(b);
    if (map != null) {
      String spatial = b.spatialJourney();
      if (spatial.contains("→")) {
        help.add("the spatial size goes " + spatial + ", so the last feature map is " + map);
      }
      if (map.size() == in.size()) {
        help.add("flattening " + map + " gives " + map.channels() + "·" + map.h() + "·" + map.w() + " = "
            + in.size() + " features, not " + declared);
      }
    }
    help.add("write `fc(" + in.size() + ", " + out + ")`, or `fc(" + out + ")` to infer the input size");
    return help;
  }

  private static Shape lastMap(Binding b) {
    List<Step> path = b.path();
    for (int i = path.size() - 1; i >= 0; i--) {
      Shape s = path.get(i).out();
      if (s.isMap()) return s;
    }
    return null;
  }

  @Override
  public String kind() {
    return "fc";
  }

  @Override
  public String describe() {
    return "fc " + input.size() + "→" + output.size() + (bias ? "" : " nobias");
  }

  @Override
  public List<Tensor> params() {
    List<Tensor> p = new ArrayList<>();
    p.add(new Tensor("weight", new int[] {output.channels(), input.channels()}, true, Tensor.Init.KAIMING_UNIFORM));
    if (bias) p.add(new Tensor("bias", new int[] {output.channels()}, false, Tensor.Init.FAN_IN_BIAS));
    return p;
  }

  @Override
  public long macs() {
    return (long) input.channels() * output.channels();
  }

  @Override
  public boolean acceptsEpilogue() {
    return true;
  }

  @Override
  public boolean backwardReadsInput() {
    return true;
  }

  private int in() {
    return input.channels();
  }

  private int out() {
    return output.channels();
  }

  // ---- reference ----

  /** y[n, o] = b[o] + Σ_i w[o, i] · x[n, i]. */
  @Override
  public void referenceForward(Ref r) {
    double[] x = r.x(0);
    double[] y = r.y();
    double[] wt = r.param("weight");
    double[] b = bias ? r.param("bias") : null;
    for (int n = 0; n < r.n(); n++)
      for (int o = 0; o < out(); o++) {
        double s = b == null ? 0 : b[o];
        for (int i = 0; i < in(); i++) s += wt[o * in() + i] * x[n * in() + i];
        y[n * out() + o] = s;
      }
  }

  /** db[o] += dy[n, o]; dw[o, i] += dy[n, o] · x[n, i]; dx[n, i] += dy[n, o] · w[o, i]. */
  @Override
  public void referenceBackward(Ref r) {
    double[] x = r.x(0);
    double[] dy = r.dy();
    double[] dx = r.dx(0);
    double[] wt = r.param("weight");
    double[] dw = r.grad("weight");
    double[] db = bias ? r.grad("bias") : null;
    for (int n = 0; n < r.n(); n++)
      for (int o = 0; o < out(); o++) {
        double g = dy[n * out() + o];
        if (db != null) db[o] += g;
        for (int i = 0; i < in(); i++) {
          dw[o * in() + i] += g * x[n * in() + i];
          if (dx != null) dx[n * in() + i] += g * wt[o * in() + i];
        }
      }
  }

  // ---- Java kernels. A large fc (weights past 1 MB) splits features between threads: the
  // forward and the weight gradient its output features, the input gradient its input features,
  // so each chunk reads its part of the weights once, and the whole batch from cache. Split by
  // images, every chunk streamed all of the weights (SimpleCNN's fc1, 4 MB, 8 times a pass). A
  // small fc stays in cache either way, and splits the images: its products stay wide ----

  private static final com.squareup.javapoet.ClassName GEMM = com.squareup.javapoet.ClassName.get("dev.cnnc.runtime.cpu", "Gemm");

  /**
   * Weights (floats) from which the kernels split features, not images. SimpleCNN's fc1 (1 M),
   * `cnnc bench`, five alternating pairs of builds, 2 threads: forward 0.74–0.92 → 0.58–0.70 ms a
   * step, input gradient 0.53–0.57 → 0.43–0.55, inference 2.50–2.79 → 2.27–2.43 ms a batch of 256.
   * Its fc2 (5 K floats) lost that way, 0.008–0.010 → 0.018–0.024 ms (one or two outputs a chunk),
   * so small layers keep splitting the images.
   */
  static final long SPLIT_FEATURES = 1 << 18;

  private boolean splitsFeatures() {
    return (long) in() * out() >= SPLIT_FEATURES;
  }

  @Override
  public int javaForwardRange() {
    return splitsFeatures() ? out() : 0;
  }

  @Override
  public int javaBackwardRange() {
    return splitsFeatures() ? in() : 0;
  }

  /**
   * y = x · wᵀ, then bias and the fused activation in one pass: for the chunk's images, or for the
   * chunk's output features o in [lo, hi) (y[:, lo..hi) = x · w[lo..hi)ᵀ) when the fc splits features.
   */
  @Override
  public CodeBlock javaForward(JavaGen k) {
    boolean hasBias = bias || k.node().fold() != null;
    boolean features = splitsFeatures();
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, y = $L, w = $L", k.x(0), k.y(), k.paramArray("weight"));
    if (features) {
      c.addStatement("$T.mmt(batch, hi - lo, $L, x, 0, $L, w, $L + lo * $L, $L, y, lo, $L, false)", GEMM, in(), in(),
          k.param("weight"), in(), in(), out());
    } else {
      c.addStatement("$T.mmt(hi - lo, $L, $L, x, lo * $L, $L, w, $L, $L, y, lo * $L, $L, false)", GEMM, out(), in(),
          in(), in(), k.param("weight"), in(), out(), out());
    }
    if (hasBias || k.epilogue() != null) {
      String v = hasBias ? "y[i] + " + k.paramArray("bias") + "[" + k.param("bias") + " + o]" : "y[i]";
      c.add(k.epilogue() != null ? "// bias and $L in one pass\n" : "// bias\n", k.epilogue() == null ? "" : k.epilogue().describe());
      if (features) {
        c.beginControlFlow("for (int n = 0; n < batch; n++)")
            .beginControlFlow("for (int o = lo, i = n * $L + lo; o < hi; o++, i++)", out());
      } else {
        c.beginControlFlow("for (int n = lo; n < hi; n++)")
            .beginControlFlow("for (int o = 0, i = n * $L; o < $L; o++, i++)", out(), out());
      }
      c.addStatement("y[i] = $L", k.epilogue() == null ? v : k.epilogue().javaApply("(" + v + ")"))
          .endControlFlow().endControlFlow();
    }
    return c.build();
  }

  @Override
  public boolean javaWeightGradientsOverOutputs() {
    return true;
  }

  /**
   * dx (=/+=) dy · w: for the chunk's images, after the fused activation's derivative is applied
   * to their rows of dy in place (the weight kernel, launched next, reads dy after it); or, when
   * the fc splits features, for the chunk's input features (dx[:, lo..hi) = dy · w[:, lo..hi)),
   * after the weight kernel, which then applies that derivative (with no input gradient to compute,
   * the emitter launches the weight kernel alone).
   */
  @Override
  public CodeBlock javaBackward(JavaGen k) {
    String dx = k.dx(0);
    CodeBlock.Builder c = CodeBlock.builder();
    if (splitsFeatures()) {
      return c.addStatement("final float[] dy = $L, w = params", k.dy())
          .add("// dx (batch, in) columns [lo, hi) $L dy (batch, out) · w (out, in) columns [lo, hi)\n", k.accumulate(0) ? "+=" : "=")
          .addStatement("$T.mm(batch, hi - lo, $L, dy, 0, $L, 1, w, $L + lo, $L, $L, lo, $L, $L)", GEMM, out(), out(),
              k.param("weight"), in(), dx, in(), k.accumulate(0))
          .build();
    }
    c.addStatement("final float[] dy = $L, w = params", k.dy());
    if (k.epilogue() != null) {
      c.add("// $L' applied once, in place: both backward kernels read dy after it\n", k.epilogue().describe())
          .beginControlFlow("for (int i = lo * $L; i < hi * $L; i++)", out(), out())
          .addStatement("dy[i] = $L", k.epilogue().javaGradFromOutput("dy[i]", k.y() + "[i]"))
          .endControlFlow();
    }
    if (dx != null) {
      c.add("// dx (rows, in) $L dy (rows, out) · w (out, in)\n", k.accumulate(0) ? "+=" : "=")
          .addStatement("$T.mm(hi - lo, $L, $L, dy, lo * $L, $L, 1, w, $L, $L, $L, lo * $L, $L, $L)", GEMM, in(), out(),
              out(), out(), k.param("weight"), in(), dx, in(), in(), k.accumulate(0));
    }
    return c.build();
  }

  /**
   * dw[o] = Σ_n dy[n, o] · x[n] and db[o] = Σ_n dy[n, o] for the chunk's output features o in
   * [lo, hi); when the fc splits features, the fused activation's derivative is first applied to
   * those columns of dy in place (the input-gradient kernel, launched next, reads it).
   */
  @Override
  public CodeBlock javaBackwardWeights(JavaGen k) {
    CodeBlock.Builder c = CodeBlock.builder().addStatement("final float[] x = $L, dy = $L", k.x(0), k.dy());
    if (splitsFeatures() && k.epilogue() != null) {
      c.add("// $L' applied once, in place: this kernel and the input gradient read dy after it\n", k.epilogue().describe())
          .beginControlFlow("for (int n = 0; n < batch; n++)")
          .beginControlFlow("for (int i = n * $L + lo; i < n * $L + hi; i++)", out(), out())
          .addStatement("dy[i] = $L", k.epilogue().javaGradFromOutput("dy[i]", k.y() + "[i]"))
          .endControlFlow().endControlFlow();
    }
    c.add("// dw (out, in) = dyᵀ (out, batch) · x (batch, in), rows [lo, hi)\n")
        .addStatement("$T.mm(hi - lo, $L, batch, dy, lo, 1, $L, x, 0, $L, gradients, $L + lo * $L, $L, false)", GEMM, in(),
            out(), in(), k.param("weight"), in(), in());
    if (bias) {
      c.beginControlFlow("for (int o = lo; o < hi; o++)")
          .addStatement("float db = 0f")
          .addStatement("for (int n = 0; n < batch; n++) db += dy[n * $L + o]", out())
          .addStatement("gradients[$L + o] = db", k.param("bias"))
          .endControlFlow();
    }
    return c.build();
  }

  // ---- CUDA: the products go to cuBLAS (column-major, so row-major y (N, out) is yᵀ); bias,
  // activation and their gradients are small kernels around them ----

  @Override
  public void cudaForward(CudaGen k) {
    boolean hasBias = bias || k.folded();
    var batch = dev.cnnc.runtime.cuda.CudaProgram.Count.perImage(1);
    k.gemm(true, false, dev.cnnc.runtime.cuda.CudaProgram.Count.of(out()), batch,
        dev.cnnc.runtime.cuda.CudaProgram.Count.of(in()), 1f, k.param("weight"), in(), k.x(0), in(), 0f, k.y(), out(),
        "y (N, " + out() + ") = x (N, " + in() + ") · wᵀ");
    if (!hasBias && k.epilogue() == null) return;
    String v = hasBias ? "y[t] + b[t % " + out() + "]" : "y[t]";
    CudaGen.Kernel kernel = k.kernel("forward_bias", "y = " + (k.epilogue() == null ? "y + b"
        : k.epilogue().cudaApply(hasBias ? "y + b" : "y")) + ", one thread per output").out("y", k.y());
    if (hasBias) kernel.in("b", k.param("bias"));
    kernel.threads(out(), 0).body(new CudaCode().line("y[t] = %s;", k.epilogue() == null ? v : k.epilogue().cudaApply(v)));
  }

  @Override
  public void cudaBackward(CudaGen k) {
    var batch = dev.cnnc.runtime.cuda.CudaProgram.Count.perImage(1);
    if (k.epilogue() != null) {
      k.kernel("backward_act", "dy = " + k.epilogue().describe() + "'(y) · dy, in place: the products below read dy")
          .out("dy", k.dy()).in("y", k.y()).threads(out(), 0)
          .body(new CudaCode().line("dy[t] = %s;", k.epilogue().cudaGradFromOutput("dy[t]", "y[t]")));
    }
    if (bias) {
      k.kernel("backward_db", "db[o] = Σ over images of dy[n, o]; one thread per output")
          .in("dy", k.dy()).out("db", k.grad("bias")).threads(0, out())
          .body(new CudaCode()
              .line("float s = 0.f;")
              .line("for (int img = 0; img < n; img++) s += dy[img * %d + t];", out())
              .line("db[t] = s;"));
    }
    k.gemm(false, true, dev.cnnc.runtime.cuda.CudaProgram.Count.of(in()), dev.cnnc.runtime.cuda.CudaProgram.Count.of(out()),
        batch, 1f, k.x(0), in(), k.dy(), out(), 0f, k.grad("weight"), in(), "dw (" + out() + ", " + in() + ") = dyᵀ · x");
    if (k.dx(0) != null) {
      k.gemm(false, false, dev.cnnc.runtime.cuda.CudaProgram.Count.of(in()), batch,
          dev.cnnc.runtime.cuda.CudaProgram.Count.of(out()), 1f, k.param("weight"), in(), k.dy(), out(),
          k.accumulate(0) ? 1f : 0f, k.dx(0), in(), "dx (N, " + in() + ") " + (k.accumulate(0) ? "+=" : "=") + " dy · w");
    }
  }
}
