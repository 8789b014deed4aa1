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
    for (int i = b.path().size() - 1; i >= 0; i--) {
      Shape s = b.path().get(i).out();
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

  // ---- Java kernels over images [lo, hi) ----

  @Override
  public CodeBlock javaForward(JavaGen k) {
    boolean hasBias = bias || k.node().fold() != null;
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, y = $L, w = $L", k.x(0), k.y(), k.paramArray("weight"))
        .beginControlFlow("for (int n = lo; n < hi; n++)")
        .addStatement("final int xr = n * $L", in())
        .beginControlFlow("for (int o = 0; o < $L; o++)", out())
        .addStatement("final int wr = $L + o * $L", k.param("weight"), in())
        .add("// four partial sums: independent chains the CPU can overlap\n")
        .addStatement("float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f")
        .addStatement("int i = 0")
        .beginControlFlow("for (; i + 3 < $L; i += 4)", in())
        .addStatement("s0 += w[wr + i] * x[xr + i]")
        .addStatement("s1 += w[wr + i + 1] * x[xr + i + 1]")
        .addStatement("s2 += w[wr + i + 2] * x[xr + i + 2]")
        .addStatement("s3 += w[wr + i + 3] * x[xr + i + 3]")
        .endControlFlow()
        .addStatement("for (; i < $L; i++) s0 += w[wr + i] * x[xr + i]", in())
        .addStatement("float v = (s0 + s1) + (s2 + s3)$L",
            hasBias ? " + " + k.paramArray("bias") + "[" + k.param("bias") + " + o]" : "");
    c.addStatement("y[n * $L + o] = $L", out(), k.epilogue() == null ? "v" : k.epilogue().javaApply("v"));
    return c.endControlFlow().endControlFlow().build();
  }

  @Override
  public CodeBlock javaBackward(JavaGen k) {
    String dx = k.dx(0);
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, dy = $L, w = params", k.x(0), k.dy());
    if (dx != null) c.addStatement("final float[] dx = $L", dx);
    c.beginControlFlow("for (int n = lo; n < hi; n++)")
        .addStatement("final int xr = n * $L", in());
    if (dx != null && !k.accumulate(0)) c.addStatement("java.util.Arrays.fill(dx, xr, xr + $L, 0f)", in());
    c.beginControlFlow("for (int o = 0; o < $L; o++)", out());
    String gv = "dy[n * " + out() + " + o]";
    c.addStatement("final float gv = $L", k.epilogue() == null ? gv
        : k.epilogue().javaGradFromOutput(gv, k.y() + "[n * " + out() + " + o]"));
    if (bias) c.addStatement("g[$L + o] += gv", k.param("bias"));
    c.addStatement("final int wr = $L + o * $L", k.param("weight"), in())
        .beginControlFlow("for (int i = 0; i < $L; i++)", in())
        .addStatement("g[wr + i] += gv * x[xr + i]");
    if (dx != null) c.addStatement("dx[xr + i] += gv * w[wr + i]");
    return c.endControlFlow().endControlFlow().endControlFlow().build();
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
