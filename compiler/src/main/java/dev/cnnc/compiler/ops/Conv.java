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
    forEachTap(r.n(), (n, co, oh, ow, ci, kh, kw, xi, yi, wi) -> y[yi] += wt[wi] * x[xi]);
    if (b != null) {
      int plane = output.h() * output.w();
      for (int i = 0; i < y.length; i++) y[i] += b[(i / plane) % outC()];
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
    forEachTap(r.n(), (n, co, oh, ow, ci, kh, kw, xi, yi, wi) -> {
      dw[wi] += dy[yi] * x[xi];
      if (dx != null) dx[xi] += dy[yi] * wt[wi];
    });
    if (bias) {
      double[] db = r.grad("bias");
      int plane = output.h() * output.w();
      for (int i = 0; i < dy.length; i++) db[(i / plane) % outC()] += dy[i];
    }
  }

  private interface Tap {
    void at(int n, int co, int oh, int ow, int ci, int kh, int kw, int xi, int yi, int wi);
  }

  /** Every (output, input, weight) index triple where the window reads a real (unpadded) input. */
  private void forEachTap(int batch, Tap tap) {
    int ci_ = inC(), hIn = input.h(), wIn = input.w(), oh_ = output.h(), ow_ = output.w();
    for (int n = 0; n < batch; n++)
      for (int co = 0; co < outC(); co++)
        for (int oh = 0; oh < oh_; oh++)
          for (int ow = 0; ow < ow_; ow++)
            for (int ci = 0; ci < ci_; ci++)
              for (int kh = 0; kh < h.k(); kh++)
                for (int kw = 0; kw < w.k(); kw++) {
                  int ih = oh * h.s() - h.padBefore() + kh * h.d();
                  int iw = ow * w.s() - w.padBefore() + kw * w.d();
                  if (ih < 0 || ih >= hIn || iw < 0 || iw >= wIn) continue;
                  tap.at(n, co, oh, ow, ci, kh, kw,
                      ((n * ci_ + ci) * hIn + ih) * wIn + iw,
                      ((n * outC() + co) * oh_ + oh) * ow_ + ow,
                      ((co * ci_ + ci) * h.k() + kh) * w.k() + kw);
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

  // ---- CUDA: direct convolution with the shapes baked in. Forward: one thread per output pixel
  // and a few output channels. Backward: dx gathers per input pixel (no atomics); dw and db are
  // partial sums over chunks of pixels, then one thread per weight adds the chunks in order. ----

  /** Channels one thread handles: 8, 4, 2 or 1, whichever divides {@code channels}. */
  private static int channelBlock(int channels, int most) {
    for (int b = most; b > 1; b /= 2) if (channels % b == 0) return b;
    return 1;
  }

  @Override
  public void cudaForward(CudaGen k) {
    boolean hasBias = bias || k.folded();
    int cob = channelBlock(outC(), 8);
    int groups = outC() / cob;
    int per = inC() * h.k() * w.k();
    String sum = "conv(x, w)" + (hasBias ? " + b" : "");
    CudaGen.Kernel kernel = k.kernel("forward", "y = " + (k.epilogue() == null ? sum : k.epilogue().cudaApply(sum))
            + "; one thread per output pixel and " + cob + " output channel" + (cob > 1 ? "s" : ""))
        .out("y", k.y()).in("x", k.x(0)).in("w", k.param("weight"));
    if (hasBias) kernel.in("b", k.param("bias"));
    CudaCode c = new CudaCode()
        .line("const int ow = t %% %d, oh = t / %d %% %d, g = t / %d %% %d, img = t / %d;", output.w(), output.w(),
            output.h(), planeOut(), groups, planeOut() * groups)
        .line("const float* xn = x + img * %d;", input.size())
        .line("const float* wg = w + g * %d;", cob * per)
        .line("float acc[%d];", cob)
        .line("#pragma unroll")
        .line("for (int j = 0; j < %d; j++) acc[j] = %s;", cob, hasBias ? "b[g * " + cob + " + j]" : "0.f")
        .open("for (int ci = 0; ci < %d; ci++)", inC())
        .line("#pragma unroll")
        .open("for (int kh = 0; kh < %d; kh++)", h.k())
        .line("const int ih = %s;", h.cudaTap("oh", "kh"))
        .line("if (ih < 0 || ih >= %d) continue;", input.h())
        .line("#pragma unroll")
        .open("for (int kw = 0; kw < %d; kw++)", w.k())
        .line("const int iw = %s;", w.cudaTap("ow", "kw"))
        .line("if (iw < 0 || iw >= %d) continue;", input.w())
        .line("const float xv = xn[(ci * %d + ih) * %d + iw];", input.h(), input.w())
        .line("#pragma unroll")
        .line("for (int j = 0; j < %d; j++) acc[j] += wg[j * %d + (ci * %d + kh) * %d + kw] * xv;", cob, per, h.k(), w.k())
        .close().close().close()
        .line("float* yo = y + img * %d + g * %d + oh * %d + ow;", output.size(), cob * planeOut(), output.w())
        .line("#pragma unroll")
        .line("for (int j = 0; j < %d; j++) yo[j * %d] = %s;", cob, planeOut(),
            k.epilogue() == null ? "acc[j]" : k.epilogue().cudaApply("acc[j]"));
    kernel.threads((long) groups * planeOut(), 0).body(c);
  }

  @Override
  public void cudaBackward(CudaGen k) {
    if (k.epilogue() != null) {
      k.kernel("backward_act", "dy = " + k.epilogue().describe() + "'(y) · dy, in place: the kernels below read dy")
          .out("dy", k.dy()).in("y", k.y()).threads(output.size(), 0)
          .body(new CudaCode().line("dy[t] = %s;", k.epilogue().cudaGradFromOutput("dy[t]", "y[t]")));
    }
    cudaWeightGradient(k);
    if (k.dx(0) != null) cudaInputGradient(k);
  }

  /** dw[co, ci, kh, kw] = Σ over images and pixels of dy · x (and db[co] = Σ dy), in two kernels. */
  private void cudaWeightGradient(CudaGen k) {
    int p = planeOut();
    int kk = h.k() * w.k();
    int weights = outC() * inC() * kk;
    int rows = weights + (bias ? outC() : 0);
    // Pixels per chunk: a divisor of the plane up to 256, or whole planes of several images.
    int chunk;
    int imagesPerChunk = 1;
    if (p <= 256) {
      imagesPerChunk = 256 / p;
      chunk = imagesPerChunk * p;
    } else {
      int q = 1;
      while (p % q != 0 || p / q > 256) q++;
      chunk = p / q;
    }
    dev.cnnc.runtime.cuda.CudaProgram.Count chunks = chunk <= p
        ? dev.cnnc.runtime.cuda.CudaProgram.Count.perImage(p / chunk)
        : new dev.cnnc.runtime.cuda.CudaProgram.Count(1, 0, imagesPerChunk);
    CudaGen.Buf partial = chunk <= p
        ? k.scratch((long) (p / chunk) * rows, true, 0, dev.cnnc.runtime.cuda.CudaProgram.CType.FLOAT)
        : k.scratch((rows + imagesPerChunk - 1) / imagesPerChunk, true, rows,
            dev.cnnc.runtime.cuda.CudaProgram.CType.FLOAT);
    CudaCode c = new CudaCode()
        .line("const int co = t / %d, ci = t %% %d;", inC(), inC())
        .line("const int j0 = s * %d, j1 = min(n * %d, j0 + %d);", chunk, p, chunk)
        .line("float acc[%d] = {};", kk);
    if (bias) c.line("float gs = 0.f;");
    c.open("for (int j = j0; j < j1; j++)")
        .line("const int img = j / %d, pix = j %% %d, oh = pix / %d, ow = pix %% %d;", p, p, output.w(), output.w())
        .line("const float g = dy[(img * %d + co) * %d + pix];", outC(), p)
        .line("const float* xc = x + (img * %d + ci) * %d;", inC(), planeIn())
        .line("#pragma unroll")
        .open("for (int kh = 0; kh < %d; kh++)", h.k())
        .line("const int ih = %s;", h.cudaTap("oh", "kh"))
        .line("if (ih < 0 || ih >= %d) continue;", input.h())
        .line("#pragma unroll")
        .open("for (int kw = 0; kw < %d; kw++)", w.k())
        .line("const int iw = %s;", w.cudaTap("ow", "kw"))
        .line("if (iw >= 0 && iw < %d) acc[kh * %d + kw] += g * xc[ih * %d + iw];", input.w(), w.k(), input.w())
        .close().close();
    if (bias) c.line("gs += g;");
    c.close()
        .line("float* out = partial + s * %d;", rows)
        .line("#pragma unroll")
        .line("for (int e = 0; e < %d; e++) out[t * %d + e] = acc[e];", kk, kk);
    if (bias) c.line("if (ci == 0) out[%d + co] = gs;", weights);
    k.kernel("backward_dw_partial", "partial sums of dw" + (bias ? " and db" : "") + " over chunks of " + chunk
            + " pixels; one thread per (chunk, output channel, input channel)")
        .in("x", k.x(0)).in("dy", k.dy()).out("partial", partial)
        .grid((long) outC() * inC(), chunks).body(c);

    CudaGen.Kernel reduce = k.kernel("backward_dw", "dw" + (bias ? " and db" : "") + " = the chunks' partial sums, added in order")
        .in("partial", partial).out("dw", k.grad("weight"));
    if (bias) reduce.out("db", k.grad("bias"));
    CudaCode r = new CudaCode()
        .line("const int chunks = (n * %d + %d) / %d;", p, chunk - 1, chunk)
        .line("float sum = 0.f;")
        .line("for (int c = 0; c < chunks; c++) sum += partial[c * %d + t];", rows);
    if (bias) r.open("if (t < %d)", weights).line("dw[t] = sum;").reopen("else").line("db[t - %d] = sum;", weights).close();
    else r.line("dw[t] = sum;");
    reduce.threads(0, rows).body(r);
  }

  /** dx[n, ci, ih, iw] gathers dy · w over every (co, kh, kw) whose window reads it. */
  private void cudaInputGradient(CudaGen k) {
    int cib = channelBlock(inC(), 4);
    int groups = inC() / cib;
    int kk = h.k() * w.k();
    String op = k.accumulate(0) ? "+=" : "=";
    CudaCode c = new CudaCode()
        .line("const int iw = t %% %d, ih = t / %d %% %d, g = t / %d %% %d, img = t / %d;", input.w(), input.w(),
            input.h(), planeIn(), groups, planeIn() * groups)
        .line("const float* dyn = dy + img * %d;", output.size())
        .line("float acc[%d] = {};", cib)
        .open("for (int co = 0; co < %d; co++)", outC())
        .line("const float* dyc = dyn + co * %d;", planeOut())
        .line("const float* wc = w + (co * %d + g * %d) * %d;", inC(), cib, kk)
        .line("#pragma unroll")
        .open("for (int kh = 0; kh < %d; kh++)", h.k());
    h.cudaGather(c, "oh", "ih", "kh", output.h());
    c.line("#pragma unroll").open("for (int kw = 0; kw < %d; kw++)", w.k());
    w.cudaGather(c, "ow", "iw", "kw", output.w());
    c.line("const float gv = dyc[oh * %d + ow];", output.w())
        .line("#pragma unroll")
        .line("for (int j = 0; j < %d; j++) acc[j] += wc[j * %d + kh * %d + kw] * gv;", cib, kk, w.k())
        .close().close().close()
        .line("float* dxo = dx + img * %d + g * %d + ih * %d + iw;", input.size(), cib * planeIn(), input.w())
        .line("#pragma unroll")
        .line("for (int j = 0; j < %d; j++) dxo[j * %d] %s acc[j];", cib, planeIn(), op);
    k.kernel("backward_dx", "dx " + op + " Σ dy · w over the windows that read each input pixel; one thread per input"
            + " pixel and " + cib + " input channel" + (cib > 1 ? "s" : ""))
        .in("dy", k.dy()).in("w", k.param("weight")).out("dx", k.dx(0))
        .threads((long) groups * planeIn(), 0).body(c);
  }
}
