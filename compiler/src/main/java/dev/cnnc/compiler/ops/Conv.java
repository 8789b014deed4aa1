// 2-D convolution: conv(in, out, kK, sS, pP | same | valid, dD, nobias).
package dev.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import java.util.ArrayList;
import java.util.List;

/** Weight (O, I, kH, kW) and optional bias (O), as PyTorch's Conv2d. */
public record Conv(Shape input, Shape output, Window h, Window w, boolean bias) implements Op {
  public static final String USAGE = "conv(in, out, k3, s1, p1 | same | valid, d1, nobias); `in` may be left out";

  static Op bind(Binding b) {
    Args a = b.args();
    List<Long> channels = a.ints("in, out", 1, 2);
    boolean bias = a.bias();
    Spatial.Result win = Spatial.read(b, 0, false, 0);
    a.finish();
    if (win == null || a.failed() || channels.isEmpty()) return null;
    long out = channels.get(channels.size() - 1);
    int in = b.input().channels();
    if (out < 1) {
      a.invalid(a.positionalSpan(channels.size() - 1), "`" + b.name() + "` needs at least one output channel, got " + out);
      return null;
    }
    if (channels.size() == 2 && channels.get(0) != in) {
      b.diagnostics().error("channel-mismatch", a.positionalSpan(0),
          "`" + b.name() + "` expects " + channels.get(0) + " input channels, but its input has " + in
              + " (" + b.input() + ")",
          "how the shape got here: " + b.journey(),
          "write `conv(" + in + ", " + out + ", …)`, or leave the input count out: `conv(" + out + ", …)`");
    }
    if (!Limits.check(b, "weight", Limits.product(out, in, win.h().k(), win.w().k()))
        || !Limits.check(b, "output", Limits.product(out, win.outH(), win.outW()))) {
      return null;
    }
    return new Conv(b.input(), Shape.chw((int) out, win.outH(), win.outW()), win.h(), win.w(), bias);
  }

  public int inC() {
    return input.channels();
  }

  public int outC() {
    return output.channels();
  }

  @Override
  public String kind() {
    return "conv";
  }

  @Override
  public String describe() {
    return "conv " + inC() + "→" + outC() + " " + new Spatial.Result(h, w, output.h(), output.w()).describe()
        + (bias ? "" : " nobias");
  }

  @Override
  public List<Tensor> params() {
    List<Tensor> p = new ArrayList<>();
    p.add(new Tensor("weight", new int[] {outC(), inC(), h.k(), w.k()}, true, Tensor.Init.KAIMING_UNIFORM));
    if (bias) p.add(new Tensor("bias", new int[] {outC()}, false, Tensor.Init.FAN_IN_BIAS));
    return p;
  }

  @Override
  public long macs() {
    return (long) output.channels() * output.h() * output.w() * inC() * h.k() * w.k();
  }

  @Override
  public boolean acceptsEpilogue() {
    return true;
  }

  @Override
  public boolean backwardReadsInput() {
    return true;
  }

  // ---- reference ----

  /** y[n, co, oh, ow] = b[co] + Σ w[co, ci, kh, kw] · x[n, ci, oh·s − pad + kh·d, ow·s − pad + kw·d]. */
  @Override
  public void referenceForward(Ref r) {
    double[] x = r.x(0);
    double[] y = r.y();
    double[] wt = r.param("weight");
    double[] b = bias ? r.param("bias") : null;
    for (int n = 0; n < r.n(); n++)
      for (int co = 0; co < outC(); co++)
        for (int oh = 0; oh < output.h(); oh++)
          for (int ow = 0; ow < output.w(); ow++) {
            double s = b == null ? 0 : b[co];
            for (int ci = 0; ci < inC(); ci++)
              for (int kh = 0; kh < h.k(); kh++) {
                int ih = oh * h.s() - h.padBefore() + kh * h.d();
                if (ih < 0 || ih >= input.h()) continue; // padding reads zero
                for (int kw = 0; kw < w.k(); kw++) {
                  int iw = ow * w.s() - w.padBefore() + kw * w.d();
                  if (iw < 0 || iw >= input.w()) continue;
                  s += wt[((co * inC() + ci) * h.k() + kh) * w.k() + kw] * x[((n * inC() + ci) * input.h() + ih) * input.w() + iw];
                }
              }
            y[((n * outC() + co) * output.h() + oh) * output.w() + ow] = s;
          }
  }

  /** db[co] += Σ dy; dw += dy · x; dx += dy · w, over the same taps as the forward. */
  @Override
  public void referenceBackward(Ref r) {
    double[] x = r.x(0);
    double[] dy = r.dy();
    double[] dx = r.dx(0);
    double[] wt = r.param("weight");
    double[] dw = r.grad("weight");
    double[] db = bias ? r.grad("bias") : null;
    for (int n = 0; n < r.n(); n++)
      for (int co = 0; co < outC(); co++)
        for (int oh = 0; oh < output.h(); oh++)
          for (int ow = 0; ow < output.w(); ow++) {
            double g = dy[((n * outC() + co) * output.h() + oh) * output.w() + ow];
            if (db != null) db[co] += g;
            for (int ci = 0; ci < inC(); ci++)
              for (int kh = 0; kh < h.k(); kh++) {
                int ih = oh * h.s() - h.padBefore() + kh * h.d();
                if (ih < 0 || ih >= input.h()) continue;
                for (int kw = 0; kw < w.k(); kw++) {
                  int iw = ow * w.s() - w.padBefore() + kw * w.d();
                  if (iw < 0 || iw >= input.w()) continue;
                  int xi = ((n * inC() + ci) * input.h() + ih) * input.w() + iw;
                  int wi = ((co * inC() + ci) * h.k() + kh) * w.k() + kw;
                  dw[wi] += g * x[xi];
                  if (dx != null) dx[xi] += g * wt[wi];
                }
              }
          }
  }

  // ---- Java kernels: direct convolution over images [lo, hi) ----

  @Override
  public CodeBlock javaForward(JavaGen k) {
    boolean hasBias = bias || k.node().fold() != null;
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, y = $L, w = $L", k.x(0), k.y(), k.paramArray("weight"))
        .beginControlFlow("for (int n = lo; n < hi; n++)")
        .beginControlFlow("for (int co = 0; co < $L; co++)", outC())
        .addStatement("final int yc = n * $L + co * $L", output.size(), planeOut());
    if (hasBias) c.addStatement("java.util.Arrays.fill(y, yc, yc + $L, $L[$L + co])", planeOut(), k.paramArray("bias"), k.param("bias"));
    else c.addStatement("java.util.Arrays.fill(y, yc, yc + $L, 0f)", planeOut());
    c.beginControlFlow("for (int ci = 0; ci < $L; ci++)", inC())
        .addStatement("final int xc = n * $L + ci * $L", input.size(), planeIn())
        .addStatement("final int wc = $L + (co * $L + ci) * $L", k.param("weight"), inC(), h.k() * w.k());
    taps(c);
    c.addStatement("final float wv = w[wc + kh * $L + kw]", w.k())
        .beginControlFlow("for (int oh = ohLo; oh < ohHi; oh++)")
        .addStatement("final int yr = yc + oh * $L", output.w())
        .addStatement("final int xr = xc + (oh * $L - $L + kh * $L) * $L + kw * $L - $L",
            h.s(), h.padBefore(), h.d(), input.w(), w.d(), w.padBefore())
        .beginControlFlow("for (int ow = owLo; ow < owHi; ow++)")
        .addStatement("y[yr + ow] += wv * x[xr + $L]", w.s() == 1 ? "ow" : "ow * " + w.s())
        .endControlFlow().endControlFlow().endControlFlow().endControlFlow().endControlFlow();
    if (k.epilogue() != null) {
      c.add("// $L fused into the output loop\n", k.epilogue().describe())
          .beginControlFlow("for (int i = yc; i < yc + $L; i++)", planeOut())
          .addStatement("y[i] = $L", k.epilogue().javaApply("y[i]"))
          .endControlFlow();
    }
    return c.endControlFlow().endControlFlow().build();
  }

  @Override
  public CodeBlock javaBackward(JavaGen k) {
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, dy = $L, w = params", k.x(0), k.dy());
    String dx = k.dx(0);
    if (dx != null) c.addStatement("final float[] dx = $L", dx);
    c.beginControlFlow("for (int n = lo; n < hi; n++)");
    if (dx != null && !k.accumulate(0)) {
      c.addStatement("java.util.Arrays.fill(dx, n * $L, (n + 1) * $L, 0f)", input.size(), input.size());
    }
    c.beginControlFlow("for (int co = 0; co < $L; co++)", outC())
        .addStatement("final int yc = n * $L + co * $L", output.size(), planeOut());
    if (k.epilogue() != null || bias) {
      c.add(k.epilogue() != null ? "// $L' applied once, in place: dy is read only here\n" : "// bias gradient\n",
              k.epilogue() == null ? "" : k.epilogue().describe())
          .addStatement("float db = 0f")
          .beginControlFlow("for (int i = yc; i < yc + $L; i++)", planeOut());
      if (k.epilogue() != null) c.addStatement("dy[i] = $L", k.epilogue().javaGradFromOutput("dy[i]", k.y() + "[i]"));
      c.addStatement("db += dy[i]").endControlFlow();
      if (bias) c.addStatement("g[$L + co] += db", k.param("bias"));
    }
    c.beginControlFlow("for (int ci = 0; ci < $L; ci++)", inC())
        .addStatement("final int xc = n * $L + ci * $L", input.size(), planeIn())
        .addStatement("final int wc = $L + (co * $L + ci) * $L", k.param("weight"), inC(), h.k() * w.k());
    taps(c);
    c.addStatement("final float wv = w[wc + kh * $L + kw]", w.k())
        .addStatement("float dw = 0f")
        .beginControlFlow("for (int oh = ohLo; oh < ohHi; oh++)")
        .addStatement("final int yr = yc + oh * $L", output.w())
        .addStatement("final int xr = xc + (oh * $L - $L + kh * $L) * $L + kw * $L - $L",
            h.s(), h.padBefore(), h.d(), input.w(), w.d(), w.padBefore())
        .beginControlFlow("for (int ow = owLo; ow < owHi; ow++)")
        .addStatement("final float gv = dy[yr + ow]")
        .addStatement("dw += gv * x[xr + $L]", w.s() == 1 ? "ow" : "ow * " + w.s());
    if (dx != null) c.addStatement("dx[xr + $L] += gv * wv", w.s() == 1 ? "ow" : "ow * " + w.s());
    c.endControlFlow().endControlFlow()
        .addStatement("g[wc + kh * $L + kw] += dw", w.k())
        .endControlFlow().endControlFlow().endControlFlow().endControlFlow().endControlFlow();
    return c.build();
  }

  /** Opens the kh and kw loops and computes the output rows/columns whose taps land inside the input. */
  private void taps(CodeBlock.Builder c) {
    c.beginControlFlow("for (int kh = 0; kh < $L; kh++)", h.k())
        .addStatement("final int ohLo = Math.max(0, Math.floorDiv($L - kh * $L + $L, $L))",
            h.padBefore(), h.d(), h.s() - 1, h.s())
        .addStatement("final int ohHi = Math.min($L, Math.floorDiv($L - kh * $L, $L) + 1)",
            output.h(), input.h() - 1 + h.padBefore(), h.d(), h.s())
        .beginControlFlow("for (int kw = 0; kw < $L; kw++)", w.k())
        .addStatement("final int owLo = Math.max(0, Math.floorDiv($L - kw * $L + $L, $L))",
            w.padBefore(), w.d(), w.s() - 1, w.s())
        .addStatement("final int owHi = Math.min($L, Math.floorDiv($L - kw * $L, $L) + 1)",
            output.w(), input.w() - 1 + w.padBefore(), w.d(), w.s());
  }

  private int planeIn() {
    return input.h() * input.w();
  }

  private int planeOut() {
    return output.h() * output.w();
  }
}
