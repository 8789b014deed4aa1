// 2-D convolution: conv(in, out, kK, sS, pP | same | valid, dD, nobias).
package dev.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import dev.cnnc.runtime.cuda.CudaProgram.CType;
import dev.cnnc.runtime.cuda.CudaProgram.Count;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Weight (O, I, kH, kW) and optional bias (O), as PyTorch's Conv2d. */
public record Conv(Shape input, Shape output, Window h, Window w, boolean bias) implements Op {
  public static final String USAGE = "conv(in, out, k3, s1, p1 | same | valid, d1, nobias); `in` may be left out";

  static Op bind(Binding b) {
    Args a = b.args();
    List<Long> channels = a.ints("in, out", 1, 2);
    boolean bias = a.bias();
    Spatial.Result win = Spatial.read(b, OptionalLong.empty(), false, OptionalLong.empty());
    a.finish();
    long out = channels.isEmpty() ? 1 : channels.get(channels.size() - 1);
    if (out < 1) {
      a.invalid(a.positionalSpan(channels.size() - 1), "`" + b.name() + "` needs at least one output channel, got " + out);
    }
    if (win == null || a.failed() || channels.isEmpty()) return null;
    int in = b.input().channels();
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
    if (!someWindowReadsInput(b, win.h(), b.input().h(), "row") || !someWindowReadsInput(b, win.w(), b.input().w(), "column")) {
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
  public boolean acceptsResidual() {
    return true;
  }

  /**
   * What the output loop writes at y index {@code i}: {@code v} (the product, with any bias; a sum
   * when {@code sum}), plus the fused residual branch {@code sc[i]}, through the epilogue.
   */
  private static String finish(JavaGen k, String v, boolean sum, String i) {
    if (k.residual() != null) {
      v = v + " + sc[" + i + "]";
      sum = true;
    }
    return k.epilogue() == null ? v : k.epilogue().javaApply(sum ? "(" + v + ")" : v);
  }

  /** "bias", "relu", "bias, the residual branch and relu": what the output loop adds and applies. */
  private static String finishes(JavaGen k, boolean hasBias) {
    List<String> parts = new ArrayList<>();
    if (hasBias) parts.add("bias");
    if (k.residual() != null) parts.add("the residual branch");
    if (k.epilogue() != null) parts.add(k.epilogue().describe());
    return parts.size() < 3 ? String.join(" and ", parts)
        : String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
  }

  /** Declares {@code sc}, the fused residual branch, when there is one. */
  private static void declareResidual(CodeBlock.Builder c, JavaGen k) {
    if (k.residual() != null) c.addStatement("final float[] sc = $L", k.residual());
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

  /**
   * A conv whose every window on one axis holds only padding (a large padding or dilation on a
   * small map) outputs its bias whatever the input: nothing before it could learn. PyTorch runs
   * it; cnnc calls it the mistake it is. Some windows in the padding (a 1×1 conv with p1) are fine.
   */
  private static boolean someWindowReadsInput(Binding b, Window win, int n, String axis) {
    if (win.anyWindowReadsInput(n)) return true;
    long out = win.out(n);
    String fix = "";
    for (int p = Math.max(win.padBefore(), win.padAfter()) - 1; p >= 0 && fix.isEmpty(); p--) {
      Window smaller = Window.of(win.k(), win.s(), win.d(), p);
      if (smaller.out(n) >= 1 && smaller.anyWindowReadsInput(n)) fix = ": `p" + p + "` does";
    }
    // no padding helps (a dilated kernel wider than the map, `same` included): a smaller dilation may
    for (int d = win.d() - 1; d >= 1 && fix.isEmpty(); d--) {
      Window same = Window.same(n, win.k(), win.s(), d);
      if (same.anyWindowReadsInput(n)) fix = ": `d" + d + "` with `same` does";
    }
    String pad = win.symmetric() ? "padding " + win.padBefore() : "padding " + win.padBefore() + " before and " + win.padAfter() + " after";
    String how = pad + (win.d() > 1 ? ", dilation " + win.d() : "") + (win.s() > 1 ? ", stride " + win.s() : "");
    b.error("window-in-padding",
        "`" + b.name() + "`: no window reads the input: the " + out + " output " + axis + (out == 1 ? "" : "s") + " read "
            + axis + "s " + taps(win, 0) + (out == 1 ? "" : " to " + taps(win, out - 1)) + " (" + how + "), and the input has "
            + (n == 1 ? "only " + axis + " 0" : axis + "s 0 to " + (n - 1)) + ", so the output would not depend on the input",
        "pad less or dilate less so that a window reaches the input" + fix);
    return false;
  }

  /** The rows output row o's window reads: "{−3, −1, 1}". */
  private static String taps(Window win, long o) {
    StringBuilder b = new StringBuilder("{");
    for (int t = 0; t < win.k(); t++) {
      long row = o * win.s() - win.padBefore() + (long) t * win.d();
      b.append(t == 0 ? "" : ", ").append(Window.signed(row));
    }
    return b.append('}').toString();
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

  // ---- Java kernels: im2col + GEMM per image, over images [lo, hi) ----

  /** Rows of the im2col matrix: one per (input channel, kernel row, kernel column). */
  private int taps() {
    return inC() * h.k() * w.k();
  }

  /** A 1×1 stride-1 unpadded conv reads its input as the column matrix itself. */
  private boolean pointwise() {
    return h.k() == 1 && w.k() == 1 && h.s() == 1 && w.s() == 1 && h.padBefore() == 0 && h.padAfter() == 0
        && w.padBefore() == 0 && w.padAfter() == 0;
  }

  /**
   * y[co, p] = Σ_r w[co, r] · col[r, p] (one GEMM), then bias and the fused activation in one pass:
   * col[(ci, kh, kw), (oh, ow)] = x[ci, oh·s − pad + kh·d, ow·s − pad + kw·d], zero in the padding.
   */
  @Override
  public CodeBlock javaForward(JavaGen k) {
    if (grouped()) return javaForwardGrouped(k);
    if (shifted()) return javaForwardShifted(k);
    boolean hasBias = bias || k.node().fold() != null;
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, y = $L, w = $L", k.x(0), k.y(), k.paramArray("weight"));
    declareResidual(c, k);
    String col = pointwise() ? "x" : "col";
    if (!pointwise()) c.addStatement("final float[] col = $L", k.scratch("col", (long) taps() * planeOut()));
    c.beginControlFlow("for (int n = lo; n < hi; n++)");
    if (!pointwise()) im2col(c, k);
    c.add("// (CO, P) = (CO, K) · (K, P): $L×$L = $L×$L · $L×$L\n", outC(), planeOut(), outC(), taps(), taps(), planeOut())
        .addStatement("$T.mm($L, $L, $L, w, $L, $L, 1, $L, $L, $L, y, n * $L, $L, false)", GEMM, outC(), planeOut(),
            taps(), k.param("weight"), taps(), col, pointwise() ? "n * " + input.size() : "0", planeOut(),
            output.size(), planeOut());
    if (hasBias || k.epilogue() != null || k.residual() != null) {
      String what = finishes(k, hasBias);
      c.add("// $L$L\n", what, what.contains(" and ") ? " in one pass" : "")
          .beginControlFlow("for (int co = 0; co < $L; co++)", outC())
          .addStatement("final int yc = n * $L + co * $L", output.size(), planeOut());
      if (hasBias) c.addStatement("final float b = $L[$L + co]", k.paramArray("bias"), k.param("bias"));
      c.addStatement("for (int i = yc; i < yc + $L; i++) y[i] = $L", planeOut(),
          finish(k, hasBias ? "y[i] + b" : "y[i]", hasBias, "i"));
      c.endControlFlow();
    }
    return c.endControlFlow().build();
  }

  /**
   * dw += dy · colᵀ (one GEMM); dx: a transposed convolution (stride 1), one product per phase
   * plane (strided), or dcol = wᵀ · dy scattered back by col2im (the rest). The activation's
   * derivative is applied to dy in place first, with the bias gradient in the same pass.
   */
  @Override
  public CodeBlock javaBackward(JavaGen k) {
    if (grouped()) return javaBackwardGrouped(k);
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, dy = $L, w = params", k.x(0), k.dy());
    String dx = k.dx(0);
    if (dx != null) c.addStatement("final float[] dx = $L", dx);
    // stride 1: dw from the shifted views, dx as the transposed convolution; strided: dw from the
    // phase planes' views (or im2col on small maps), dx per phase plane
    boolean shiftedBackward = shifted() && !strided() && transposable();
    boolean phasedBackward = shifted() && strided();
    // dwᵀ (K, CO) is summed over the chunk's images in a scratch and added to g once at the end
    boolean transposedWeightGradient = shiftedBackward || phasedBackward
        || planeOut() >= DOT_PIXELS && taps() >= TRANSPOSE_TAPS && outC() >= TRANSPOSE_OUTPUTS;
    if (shiftedBackward && dx != null) flipKernel(c, k);
    // strided: dx per phase plane of the padded input, each a stride-1 product over the padded dy
    boolean phasedDx = strided() && dx != null;
    if (phasedDx) packPhaseKernels(c, k);
    boolean needsCol = !phasedBackward && !shiftedBackward && !(pointwise() && planeOut() >= DOT_PIXELS);
    if (needsCol) c.addStatement("final float[] col = $L", k.scratch("col", (long) taps() * planeOut()));
    if (transposedWeightGradient) {
      c.addStatement("final float[] dwt = $L", k.scratch("dwt", (long) taps() * outC()))
          .addStatement("java.util.Arrays.fill(dwt, 0f)");
    }
    c.beginControlFlow("for (int n = lo; n < hi; n++)");
    activationAndBiasGradient(c, k);
    if (shiftedBackward) {
      backwardShifted(c, k);
      return addTransposedWeightGradient(c.endControlFlow(), k).build();
    }
    if (phasedBackward) {
      weightGradientFromViews(c, k);
    } else if (transposedWeightGradient) {
      if (!pointwise()) im2col(c, k);
      c.addStatement("final float[] dyt = $L", k.scratch("dyt", (long) planeOut() * outC()))
          .add("// dyᵀ (P, CO)\n")
          .addStatement("$T.gatherChannels(dy, n * $L, $L, $L, dyt, 0, $L, $L, 1, $L)", BLOCKS, output.size(), planeOut(),
              planeOut(), planeOut(), outC(), planeOut())
          .add("// dwᵀ (K, CO) += col (K, P) · dyᵀ (P, CO): a plain product, no horizontal sums\n")
          .addStatement("$T.mmRowsA($L, $L, $L, $L, $L, $L, dyt, 0, $L, dwt, 0, $L, true)", GEMM, taps(), outC(), planeOut(),
              pointwise() ? "x" : "col", pointwise() ? "n * " + input.size() : "0", columnRows(k), outC(), outC());
    } else if (planeOut() >= DOT_PIXELS) {
      if (!pointwise()) im2col(c, k);
      c.add("// dw (CO, K) += dy (CO, P) · colᵀ: dot products of length P = $L\n", planeOut())
          .addStatement("$T.mmt($L, $L, $L, dy, n * $L, $L, $L, $L, $L, g, $L, $L, true)", GEMM, outC(), taps(), planeOut(),
              output.size(), planeOut(), pointwise() ? "x" : "col", pointwise() ? "n * " + input.size() : "0", planeOut(),
              k.param("weight"), taps());
    } else {
      im2colTransposed(c, k);
      c.add("// dw (CO, K) += dy (CO, P) · colᵀ (P, K): with only $L pixels, a plain product beats dot products\n", planeOut())
          .addStatement("$T.mm($L, $L, $L, dy, n * $L, $L, 1, col, 0, $L, g, $L, $L, true)", GEMM, outC(), taps(), planeOut(),
              output.size(), planeOut(), taps(), k.param("weight"), taps());
    }
    if (phasedDx) {
      inputGradientByPhases(c, k);
    } else if (dx != null) {
      if (pointwise()) {
        c.add("// dx (CI, P) $L wᵀ (CI, CO) · dy (CO, P)\n", k.accumulate(0) ? "+=" : "=")
            .addStatement("$T.mm($L, $L, $L, w, $L, 1, $L, dy, n * $L, $L, dx, n * $L, $L, $L)", GEMM, inC(), planeOut(),
                outC(), k.param("weight"), taps(), output.size(), planeOut(), input.size(), planeOut(), k.accumulate(0));
      } else {
        c.add("// dcol (K, P) = wᵀ (K, CO) · dy (CO, P), reusing colᵀ's memory\n")
            .addStatement("$T.mm($L, $L, $L, w, $L, 1, $L, dy, n * $L, $L, col, 0, $L, false)", GEMM, taps(), planeOut(),
                outC(), k.param("weight"), taps(), output.size(), planeOut(), planeOut());
        col2im(c, k, k.accumulate(0));
      }
    }
    c.endControlFlow();
    return (transposedWeightGradient ? addTransposedWeightGradient(c, k) : c).build();
  }

  /** Inside the loop over images n: dy ⊙= the fused activation's derivative, and the bias gradient. */
  private void activationAndBiasGradient(CodeBlock.Builder c, JavaGen k) {
    activationAndBiasGradient(c, k, bias);
  }

  /** As above, the bias gradient only when {@code withBias} (into the chunk's partial g). */
  private void activationAndBiasGradient(CodeBlock.Builder c, JavaGen k, boolean withBias) {
    if (k.epilogue() == null && !withBias) return;
    // the derivative loop is element-wise, which C2 can vectorize; the sum is Sums' vector one (C2
    // keeps a float sum in order, one add at a time): SimpleCNN training 1.03× for the split
    c.add(k.epilogue() == null ? "// bias gradient\n" : withBias
            ? "// $L' applied once, in place (dy is read only here), then the bias gradient\n"
            : "// $L' applied once, in place (dy is read only here)\n", k.epilogue() == null ? "" : k.epilogue().describe())
        .beginControlFlow("for (int co = 0; co < $L; co++)", outC())
        .addStatement("final int yc = n * $L + co * $L", output.size(), planeOut());
    if (k.epilogue() != null) {
      c.addStatement("for (int i = yc; i < yc + $L; i++) dy[i] = $L", planeOut(),
          k.epilogue().javaGradFromOutput("dy[i]", k.y() + "[i]"));
    }
    if (withBias) c.addStatement("g[$L + co] += $T.sum(dy, yc, yc + $L)", k.param("bias"), SUMS, planeOut());
    c.endControlFlow();
  }

  // ---- small maps: im2col over a group of images, one product per group ----

  /**
   * Output maps with fewer pixels than this take the grouped path: a product per image would be
   * only P columns wide (VGG-11's 2×2 maps: 4, less than one vector), and its micro-kernel fell to
   * scalar tails — 1.3 GFLOP/s for VGG-11's last two convs, 900 ms a step. Grouping images side by
   * side gives the products at least this many columns.
   */
  private static final int GROUP_PIXELS = 64;

  /**
   * How many columns a group's products get: as many images as fit (usually a whole chunk of the
   * batch, 9 or 10 images at batch 64 on VGG-11). With groups of 64 columns, VGG-11's 512×512
   * convs on 4×4 maps read their 9.4 MB of weights (and the backward its 9.4 MB weight gradient)
   * once per 4 images instead of once per chunk.
   */
  private static final int GROUP_COLUMNS = 256;

  private boolean grouped() {
    return planeOut() < GROUP_PIXELS;
  }

  /** Images per group: as many as {@link #GROUP_COLUMNS} columns hold. */
  private int group() {
    return Math.max(1, GROUP_COLUMNS / planeOut());
  }

  /** Where row r of the grouped (K, G·P) column matrix starts: r·G·P. */
  private String groupRows(JavaGen k) {
    return k.table("grouprows", CodeBlock.of("$T.spaced($L, $L)",
        com.squareup.javapoet.ClassName.get("dev.cnnc.runtime.cpu", "Shifts"), taps(), group() * planeOut()));
  }

  /**
   * y for G images at a time: col (K, G·P) holds image g's columns at g·P, and one product
   * Y (CO, G·P) = w (CO, K) · col gives all their outputs, then bias and activation per image.
   */
  private CodeBlock javaForwardGrouped(JavaGen k) {
    boolean hasBias = bias || k.node().fold() != null;
    int gp = group() * planeOut();
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, y = $L", k.x(0), k.y())
        .addStatement("final float[] col = $L", k.scratch("groupcol", (long) taps() * gp))
        .addStatement("final float[] yg = $L", k.scratch("groupout", (long) outC() * gp))
        .addStatement("final float[] packed = $L", packedWeights(k));
    declareResidual(c, k);
    c.add("// $L images at a time: their $L-pixel maps side by side make the product $L columns wide\n", group(),
            planeOut(), gp)
        .beginControlFlow("for (int n0 = lo; n0 < hi; n0 += $L)", group())
        .addStatement("final int images = Math.min($L, hi - n0)", group())
        .beginControlFlow("for (int n = n0; n < n0 + images; n++)");
    im2col(c, k, gp, "(n - n0) * " + planeOut() + " + ");
    c.endControlFlow()
        .add("// yg (CO, images·P) = w (CO, K) · col (K, images·P)\n")
        .addStatement("$T.mmRowsPacked($L, images * $L, $L, packed, 0, col, 0, $L, yg, 0, $L, false)", GEMM, outC(),
            planeOut(), taps(), groupRows(k), gp)
        .add("// each image's outputs$L\n", hasBias || k.epilogue() != null || k.residual() != null
            ? ", with " + finishes(k, hasBias) : "")
        .beginControlFlow("for (int co = 0; co < $L; co++)", outC());
    if (hasBias) c.addStatement("final float b = $L[$L + co]", k.paramArray("bias"), k.param("bias"));
    c.beginControlFlow("for (int n = n0; n < n0 + images; n++)")
        .addStatement("final int from = co * $L + (n - n0) * $L, to = n * $L + co * $L", gp, planeOut(), output.size(),
            planeOut())
        .addStatement("for (int p = 0; p < $L; p++) y[to + p] = $L", planeOut(),
            finish(k, hasBias ? "yg[from + p] + b" : "yg[from + p]", hasBias, "to + p"))
        .endControlFlow().endControlFlow();
    return c.endControlFlow().build();
  }

  /**
   * Small maps split the weight gradient from the backward: their weights are large (VGG-11's
   * 512×512 convs on 4×4 and 2×2 maps: 9.4 MB each) and their maps small, so per-chunk partial
   * gradients cost more to clear and add up than the product itself. The backward keeps the
   * images' colᵀ and dyᵀ for the whole batch; a second kernel then gives each chunk columns
   * [lo, hi) of dw (CO, K) over the whole batch, written straight into gradients.
   */
  @Override
  public boolean javaWeightGradientsOverOutputs() {
    return grouped();
  }

  /** The weights kernel's chunks split dw's K = CI·kh·kw columns. */
  @Override
  public int javaWeightGradientsRange() {
    return taps();
  }

  /** The batch's colᵀ (N·P, K): image n's rows from n·P on (see {@link #im2colTransposed}). */
  private String batchColumns(JavaGen k) {
    return k.aux("colt", (long) planeOut() * taps(), true, false);
  }

  /** The batch's dy (CO, N·P) in {@code Gemm.pack}'s layout, after the activation's derivative. */
  private String batchGradientsPacked(JavaGen k) {
    return k.aux("dypacked", (long) planeOut() * outC(), true, false);
  }

  /** The batch's dyᵀ (N·P, CO), after the activation's derivative. */
  private String batchGradientsT(JavaGen k) {
    return k.aux("dyt", (long) planeOut() * outC(), true, false);
  }

  /**
   * The backward on small maps: each image's colᵀ and dyᵀ rows into the batch-wide arrays the
   * weights kernel reads, then dx for G images at a time: dcolᵀ (G·P, K) = dyᵀ · w, one product K
   * wide (full tiles however few pixels), scattered back per image.
   */
  private CodeBlock javaBackwardGrouped(JavaGen k) {
    int gp = group() * planeOut();
    String dx = k.dx(0);
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, dy = $L, w = params", k.x(0), k.dy());
    if (dx != null) c.addStatement("final float[] dx = $L", dx);
    c.addStatement("final float[] colt = $L, dyt = $L", batchColumns(k), batchGradientsT(k))
        .beginControlFlow("for (int n = lo; n < hi; n++)");
    activationAndBiasGradient(c, k, false);
    c.addStatement("final float[] col = colt");
    im2colTransposed(c, k, "n * " + planeOut());
    c.add("// dyᵀ[(n, p), co] = dy[n, co, p]\n")
        .addStatement("$T.gatherChannels(dy, n * $L, $L, $L, dyt, n * $L, $L, $L, 1, $L)", BLOCKS, output.size(), planeOut(),
            planeOut(), planeOut() * outC(), planeOut(), outC(), planeOut())
        .add("// and dy (CO, N·P) packed for the weights kernel's product, this image's $L columns\n", planeOut())
        .addStatement("$T.packColumns($L, batch * $L, n * $L, $L, dy, n * $L, $L, $L, 0)", GEMM, outC(), planeOut(),
            planeOut(), planeOut(), output.size(), planeOut(), batchGradientsPacked(k))
        .endControlFlow();
    if (dx == null) return c.build();
    c.addStatement("final float[] col = $L", k.scratch("dcolt", (long) gp * taps()))
        .add("// $L images at a time\n", group())
        .beginControlFlow("for (int n0 = lo; n0 < hi; n0 += $L)", group())
        .addStatement("final int images = Math.min($L, hi - n0)", group())
        .add("// dcolᵀ (images·P, K) = dyᵀ (images·P, CO) · w (CO, K)\n")
        .addStatement("$T.mm(images * $L, $L, $L, dyt, n0 * $L, $L, 1, w, $L, $L, col, 0, $L, false)", GEMM, planeOut(),
            taps(), outC(), planeOut() * outC(), outC(), k.param("weight"), taps(), taps())
        .beginControlFlow("for (int n = n0; n < n0 + images; n++)");
    col2imTransposed(c, k, k.accumulate(0), "(n - n0) * " + planeOut());
    return c.endControlFlow().endControlFlow().build();
  }

  /** Columns [lo, hi) of dw = dy · colᵀ over the whole batch, dy read through dyᵀ (and, in the first chunk, db). */
  @Override
  public CodeBlock javaBackwardWeights(JavaGen k) {
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] colt = $L", batchColumns(k))
        .add("// dw[:, lo:hi] (CO, hi − lo) = dy (CO, N·P), packed once by the backward, · colᵀ[:, lo:hi] (N·P, hi − lo)\n")
        .addStatement("$T.mmPacked($L, hi - lo, batch * $L, $L, 0, colt, lo, $L, gradients, $L + lo, $L, false)", GEMM,
            outC(), planeOut(), batchGradientsPacked(k), taps(), k.param("weight"), taps());
    if (bias) {
      c.beginControlFlow("if (lo == 0)")
          .addStatement("final float[] dyt = $L", batchGradientsT(k))
          .add("// db[co] = Σ over the batch's pixels of dyᵀ[(n, p), co], row by row\n")
          .addStatement("java.util.Arrays.fill(gradients, $L, $L + $L, 0f)", k.param("bias"), k.param("bias"), outC())
          .beginControlFlow("for (int r = 0; r < batch * $L; r++)", planeOut())
          .addStatement("for (int co = 0; co < $L; co++) gradients[$L + co] += dyt[r * $L + co]", outC(), k.param("bias"),
              outC())
          .endControlFlow().endControlFlow();
    }
    return c.build();
  }

  /** g's weight gradient += dwtᵀ, after the image loop. */
  private CodeBlock.Builder addTransposedWeightGradient(CodeBlock.Builder c, JavaGen k) {
    return c.add("// dw (CO, K) += dwtᵀ, once for the chunk's images\n")
        .beginControlFlow("for (int co = 0; co < $L; co++)", outC())
        .addStatement("for (int r = 0; r < $L; r++) g[$L + co * $L + r] += dwt[r * $L + co]", taps(), k.param("weight"),
            taps(), outC())
        .endControlFlow();
  }

  /** Where row r of the (K, P) column matrix starts: r·P. */
  private String columnRows(JavaGen k) {
    return k.table("colrows", CodeBlock.of("$T.spaced($L, $L)",
        com.squareup.javapoet.ClassName.get("dev.cnnc.runtime.cpu", "Shifts"), taps(), planeOut()));
  }

  private static final com.squareup.javapoet.ClassName GEMM = com.squareup.javapoet.ClassName.get("dev.cnnc.runtime.cpu", "Gemm");
  private static final com.squareup.javapoet.ClassName BLOCKS = com.squareup.javapoet.ClassName.get("dev.cnnc.runtime.cpu", "Blocks");
  private static final com.squareup.javapoet.ClassName SUMS = com.squareup.javapoet.ClassName.get("dev.cnnc.runtime.cpu", "Sums");

  /**
   * From this many output pixels on, an im2col conv's dw is computed from the columns: transposed,
   * dwᵀ = col · dyᵀ, when there are {@link #TRANSPOSE_TAPS} rows or more to pay for transposing dy
   * (P·CO copies against 2·P·K·CO FLOPs), else as dot products of length P (each ending in one
   * horizontal sum). Below it, from the transposed columns colᵀ (P·K copies). Measured on
   * ResNet-20: dot products beat colᵀ at 32×32 (1,024 pixels), lose 2× at 8×8 (64); the
   * transposed product beats dot products 3× at K = 288, loses at K = 27 (an RGB input).
   */
  private static final int DOT_PIXELS = 256;

  private static final int TRANSPOSE_TAPS = 64;

  /**
   * The transposed product's columns are the output channels: with fewer than one vector of them
   * (LeNet-5's first conv has 6) it ran on scalar tails, 7 GFLOP/s and two thirds of LeNet's step;
   * dot products of length P then win.
   */
  private static final int TRANSPOSE_OUTPUTS = 16;

  private boolean padded() {
    return h.padBefore() + h.padAfter() + w.padBefore() + w.padAfter() > 0;
  }

  /** Rows and columns of the zero-padded input. */
  private int hp() {
    return input.h() + h.padBefore() + h.padAfter();
  }

  private int wp() {
    return input.w() + w.padBefore() + w.padAfter();
  }

  /**
   * Fills col (K, P) from image n of x: by whole shifted planes where {@link #planeShifts} allows,
   * else from a zero-bordered copy of a padded input (its borders are never written, so they stay
   * zero), so every col row is a plain (strided) copy with no bounds tests.
   */
  private void im2col(CodeBlock.Builder c, JavaGen k) {
    im2col(c, k, planeOut(), "");
  }

  /**
   * im2col of image n into columns {@code at} + [0, P) of col, whose rows are {@code ld} long
   * ({@code at} a Java expression ending in " + ", or empty for column 0).
   */
  private void im2col(CodeBlock.Builder c, JavaGen k, int ld, String at) {
    if (planeShifts()) {
      im2colByPlaneShifts(c, k, ld, at);
      return;
    }
    String src = padCopy(c, k);
    String base = padded() ? "0" : "n * " + input.size();
    c.add("// im2col: col[(ci, kh, kw), (oh, ow)] = $L[ci, oh·$L + kh·$L, ow·$L + kw·$L]\n", src, h.s(), h.d(), w.s(), w.d())
        .beginControlFlow("for (int ci = 0, r = 0; ci < $L; ci++)", inC())
        .beginControlFlow("for (int kh = 0; kh < $L; kh++)", h.k())
        .beginControlFlow("for (int kw = 0; kw < $L; kw++, r++)", w.k())
        .beginControlFlow("for (int oh = 0; oh < $L; oh++)", output.h())
        .addStatement("final int from = $L + (ci * $L + oh * $L + kh * $L) * $L + kw * $L", base, padded() ? hp() : input.h(),
            h.s(), h.d(), padded() ? wp() : input.w(), w.d());
    if (w.s() == 1) c.addStatement("System.arraycopy($L, from, col, $Lr * $L + oh * $L, $L)", src, at, ld, output.w(), output.w());
    else c.addStatement("for (int ow = 0, to = $Lr * $L + oh * $L; ow < $L; ow++) col[to + ow] = $L[from + ow * $L]",
        at, ld, output.w(), output.w(), src, w.s());
    c.endControlFlow().endControlFlow().endControlFlow().endControlFlow();
  }

  /**
   * Whether im2col can copy whole planes: with stride 1 and output rows as long as input rows,
   * col[(ci, kh, kw), oh·W + ow] = x[ci, (oh + dh)·W + ow + dw] (dh = kh·d − pad_top, dw = kw·d −
   * pad_left) is one run of x shifted by dh·W + dw, wrong only where the shift wraps a row or
   * leaves the plane. Every tap must keep some rows and columns (it does unless the dilation
   * exceeds the image). Not on the grouped small maps: with rows of 2 or 4 floats the bookkeeping
   * per row costs what the copies did (VGG-11's 2×2-map convs: 14 → 17 ms a step, 4×4 even).
   */
  private boolean planeShifts() {
    if (grouped() || h.s() != 1 || w.s() != 1 || output.w() != input.w()) return false;
    for (int kh = 0; kh < h.k(); kh++) {
      int dh = kh * h.d() - h.padBefore();
      if (Math.max(0, -dh) >= Math.min(output.h(), input.h() - dh)) return false;
    }
    for (int kw = 0; kw < w.k(); kw++) {
      if (Math.abs(kw * w.d() - w.padBefore()) >= input.w()) return false;
    }
    return true;
  }

  /**
   * im2col as one copy per row of col (see {@link #planeShifts}), then zeros where the padding is:
   * the rows above and below the image and the |dw| columns a shift wraps round each row. For
   * SimpleCNN's first conv (27 rows of 1,024) this replaced the zero-bordered copy and 864 copies
   * of 32 floats: 12 → 4 µs an image in a harness on one core (shared with another process), the
   * whole forward 19.6–21 → 15.5–16.7 µs with the core to itself.
   */
  private void im2colByPlaneShifts(CodeBlock.Builder c, JavaGen k, int ld, String at) {
    int width = input.w(), plane = input.h() * width;
    c.add("// im2col by plane shifts: col[(ci, kh, kw), oh·$L + ow] = x[ci, oh + dh, ow + dw], one copy per row,\n", width)
        .add("// then zeros where that reads outside the image (rows [0, top) and [bottom, $L), $L columns a row)\n",
            output.h(), "|dw|")
        .beginControlFlow("for (int ci = 0, r = 0; ci < $L; ci++)", inC())
        .beginControlFlow("for (int kh = 0; kh < $L; kh++)", h.k())
        .addStatement("final int dh = kh * $L - $L, top = Math.max(0, -dh), bottom = Math.min($L, $L - dh)", h.d(), h.padBefore(),
            output.h(), input.h())
        .beginControlFlow("for (int kw = 0; kw < $L; kw++, r++)", w.k())
        .addStatement("final int dw = kw * $L - $L, to = $Lr * $L", w.d(), w.padBefore(), at, ld)
        .addStatement("final int start = top * $L + Math.max(0, -dw), end = bottom * $L - Math.max(0, dw)", width, width)
        .addStatement("java.util.Arrays.fill(col, to, to + start, 0f)")
        .addStatement("System.arraycopy(x, n * $L + ci * $L + dh * $L + dw + start, col, to + start, end - start)",
            input.size(), plane, width)
        .addStatement("java.util.Arrays.fill(col, to + end, to + $L, 0f)", planeOut())
        .addStatement("for (int oh = top; oh < bottom; oh++) for (int ow = 0; ow < -dw; ow++) col[to + oh * $L + ow] = 0f", width)
        .addStatement("for (int oh = top; oh < bottom; oh++) for (int ow = $L - dw; ow < $L; ow++) col[to + oh * $L + ow] = 0f",
            width, width, width)
        .endControlFlow().endControlFlow().endControlFlow();
  }

  /**
   * Copies image n of x into the middle of a zero-bordered scratch when the conv pads (its borders
   * are never written, so they stay zero); returns the array im2col reads: that scratch, or x.
   */
  private String padCopy(CodeBlock.Builder c, JavaGen k) {
    return padded() ? copyPadded(c, k, "padded", 0) : "x";
  }

  /** The zero-bordered copy of image n, with {@code slack} zeros after the last channel; returns "xp". */
  private String copyPadded(CodeBlock.Builder c, JavaGen k, String what, int slack) {
    c.addStatement("final float[] xp = $L", k.scratch(what, (long) inC() * hp() * wp() + slack))
        .add("// the image into the middle of its zero border\n")
        .beginControlFlow("for (int ci = 0; ci < $L; ci++)", inC())
        .addStatement("for (int ih = 0; ih < $L; ih++) System.arraycopy(x, n * $L + (ci * $L + ih) * $L, xp, (ci * $L + ih + $L) * $L + $L, $L)",
            input.h(), input.size(), input.h(), input.w(), hp(), h.padBefore(), wp(), w.padBefore(), input.w())
        .endControlFlow();
    return "xp";
  }

  // ---- stride 1: one GEMM per kernel tap over the padded image, no im2col ----

  /**
   * With stride 1, tap (kh, kw) reads the padded image shifted by kh·d rows and kw·d columns. Laid
   * out "wide" (each output row as long as a padded row, the extra columns ignored), row (ci, kh,
   * kw) of im2col's matrix is the padded image itself from offset ci·Hp·Wp + kh·d·Wp + kw·d on: the
   * GEMM reads B's rows through that table of offsets, and no 9× im2col copy is written or read.
   */
  private boolean shifted() {
    if (pointwise() || inC() < SHIFTED_MIN_CHANNELS) return false;
    // phase planes add (kW − 1)·d div s junk columns per output row; on small maps those (and the
    // GEMM's partial last vector) cost more than im2col's copies: ResNet-20's 16×16 → 8×8 conv
    // computes 80 columns for 64 pixels and ran 15% slower than im2col, its 32×32 → 16×16 one
    // (272 for 256) 20% faster
    return !strided() || roundUp(wide(), 16) <= PHASE_WASTE * planeOut();
  }

  private static final double PHASE_WASTE = 1.1;

  private static int roundUp(int n, int multiple) {
    return (n + multiple - 1) / multiple * multiple;
  }

  /**
   * A strided conv reads its padded image through s_h × s_w phase planes: plane (a, b) holds the
   * padded pixels (i·s_h + a, j·s_w + b) at (i, j), so tap (kh, kw) reads plane
   * ((kh·d) mod s_h, (kw·d) mod s_w) shifted by ((kh·d) div s_h, (kw·d) div s_w): a stride-1 view,
   * and the same row-table GEMMs serve. The planes hold the image once; im2col held it kH·kW times.
   */
  private boolean strided() {
    return h.s() > 1 || w.s() > 1;
  }

  /** Rows and columns of one phase plane (for stride 1 the padded image itself). */
  private int hph() {
    return (hp() + h.s() - 1) / h.s();
  }

  private int wph() {
    return (wp() + w.s() - 1) / w.s();
  }

  /** Image n of x as the shifted views read: zero-bordered (stride 1) or split into phase planes; returns "xp". */
  private void copyViews(CodeBlock.Builder c, JavaGen k) {
    if (!strided()) {
      copyPadded(c, k, "shifted", slack());
      return;
    }
    int plane = hph() * wph();
    c.addStatement("final float[] xp = $L", k.scratch("phases", (long) inC() * h.s() * w.s() * plane + slack()))
        .add("// the image into its $L×$L phase planes: padded pixel (pr, pc) goes to plane (pr mod $L, pc mod $L) at (pr div $L, pc div $L);\n",
            h.s(), w.s(), h.s(), w.s(), h.s(), w.s())
        .add("// the border positions are never written, so they stay zero\n")
        .beginControlFlow("for (int ci = 0; ci < $L; ci++)", inC())
        .beginControlFlow("for (int ih = 0; ih < $L; ih++)", input.h())
        .addStatement("final int pr = ih + $L, from = n * $L + (ci * $L + ih) * $L", h.padBefore(), input.size(), input.h(),
            input.w())
        .addStatement("final int row = ((ci * $L + pr % $L) * $L) * $L + (pr / $L) * $L", h.s(), h.s(), w.s(), plane, h.s(), wph());
    // column phase b holds padded columns j·s + b, i.e. input columns j·s + b − pad for j in [lo, hi)
    for (int b = 0; b < w.s(); b++) {
      int lo = Math.max(0, ceilDiv(w.padBefore() - b, w.s()));
      int hi = Math.min(wph(), ceilDiv(input.w() + w.padBefore() - b, w.s()));
      if (lo >= hi) continue;
      c.addStatement("for (int j = $L; j < $L; j++) xp[row$L + j] = x[from + j * $L$L]", lo, hi, plus(b * plane), w.s(),
          plus(b - w.padBefore()));
    }
    c.endControlFlow().endControlFlow();
  }

  /** " + v", " − |v|" or nothing, for offsets written into generated indices. */
  private static String plus(int v) {
    return v == 0 ? "" : v > 0 ? " + " + v : " - " + -v;
  }

  private static int ceilDiv(int a, int b) {
    return -Math.floorDiv(-a, b);
  }

  /**
   * With few input channels (an RGB image's 3) im2col still wins. When the shifted form ran one
   * GEMM per tap, each summed over the channels only (ResNet-20's first conv: 32 GFLOP/s, 74 with
   * im2col). With the one row-table GEMM over all (ci, kh, kw) it has now, still slower: SimpleCNN's
   * conv1 with this limit at 1, alternating builds (2026-11-30, 2 threads): forward 0.56–0.60 ms a
   * step against 0.44–0.53, backward 0.77–0.79 against 0.63–0.66 (why not profiled).
   */
  private static final int SHIFTED_MIN_CHANNELS = 8;

  /**
   * Backward of the shifted form, per image, in two products over zero-bordered copies and no
   * im2col matrix. The weight gradient is taken transposed: dwᵀ (K, CO) += (the shifted views of
   * xp) (K, OH·Wp) · dyᵀ (OH·Wp, CO), with A's rows read through the forward's table of shifts; a
   * plain product, where dw = dy · viewsᵀ would end every dot product in a horizontal sum (2–3×
   * slower here). dx is itself a stride-1 convolution: dy, padded by d·(k − 1) − pad, convolved
   * with the kernel turned 180° and its in and out channels swapped, so one GEMM over CO·kH·kW taps
   * (through a table of shifts of the padded dy, as in the forward) replaces kH·kW short products
   * that each reloaded the whole dx tile.
   */
  private void backwardShifted(CodeBlock.Builder c, JavaGen k) {
    String dx = k.dx(0);
    weightGradientFromViews(c, k);
    if (dx == null) return;
    // the transposed convolution's last tap runs (kW − 1)·d columns past the last channel's plane
    c.addStatement("final float[] dyp = $L", k.scratch("dpadded", (long) outC() * hq() * wq() + (w.k() - 1) * w.d()))
        .add("// dy into the middle of its zero border (d·(k − 1) − pad = $L rows, $L columns)\n", qBefore(h), qBefore(w))
        .beginControlFlow("for (int co = 0; co < $L; co++)", outC())
        .addStatement("for (int oh = 0; oh < $L; oh++) System.arraycopy(dy, n * $L + co * $L + oh * $L, dyp, (co * $L + oh + $L) * $L + $L, $L)",
            output.h(), output.size(), planeOut(), output.w(), hq(), qBefore(h), wq(), qBefore(w), output.w())
        .endControlFlow();
    int wideIn = input.h() * wq();
    int taps = outC() * h.k() * w.k();
    c.addStatement("final float[] dxw = $L", k.scratch("dwide", (long) inC() * wideIn))
        .add("// dxw (CI, H·Wq) = flipped (CI, CO·kH·kW) · the shifted views of dyp: the transposed convolution\n")
        .addStatement("$T.mmRowsPacked($L, $L, $L, packedFlipped, 0, dyp, 0, $L, dxw, 0, $L, false)", GEMM, inC(), wideIn,
            taps, transposedShifts(k), wideIn)
        .add(k.accumulate(0) ? "// dx += the valid columns (every channel's rows: wideIn = H·Wq)\n"
            : "// the valid columns are dx (every channel's rows: wideIn = H·Wq)\n")
        .addStatement("$T.$L(dxw, 0, $L, dx, n * $L, $L, $L, $L)", BLOCKS, k.accumulate(0) ? "addRows" : "copyRows", wq(),
            input.size(), input.w(), inC() * input.h(), input.w());
  }

  /**
   * dwᵀ (K, CO) += the shifted views of image n (K, OH·Wp) · dyᵀ (OH·Wp, CO), A's rows through the
   * forward's table: a plain product with no horizontal sums.
   */
  private void weightGradientFromViews(CodeBlock.Builder c, JavaGen k) {
    copyViews(c, k);
    c.addStatement("final float[] dyt = $L", k.scratch("dyt", (long) (wide() + 2) * outC()))
        .add("// dyᵀ (OH·Wp, CO) in the wide layout; rows past OW and the two rows after the last are never\n")
        .add("// written, so they stay zero (with a 3-wide kernel the product slides B's rows along A's: it reads two past the end)\n")
        .addStatement("$T.gatherChannels(dy, n * $L, $L, $L, dyt, 0, $L, $L, $L, $L)", BLOCKS, output.size(), planeOut(),
            output.w(), wph(), outC(), output.h(), output.w())
        .add("// dwᵀ (K, CO) += the shifted views of xp (K, OH·Wp) · dyᵀ (OH·Wp, CO)\n")
        .addStatement("$T.mmRowsA($L, $L, $L, xp, 0, $L, dyt, 0, $L, dwt, 0, $L, true)", GEMM, taps(), outC(), wide(),
            shifts(k), outC(), outC());
  }

  /**
   * flipped[ci, (co, kh, kw)] = w[co, ci, kH − 1 − kh, kW − 1 − kw], built and packed once per
   * launch (CO·CI·kH·kW copies, against that many multiply-adds per pixel of every image).
   */
  private void flipKernel(CodeBlock.Builder c, JavaGen k) {
    int kk = h.k() * w.k();
    String flipped = k.aux("flipped", (long) inC() * outC() * kk, false, false);
    String packedFlipped = k.aux("packedflipped", (long) inC() * outC() * kk, false, false);
    k.prepare().add("// the kernel turned 180°, input and output channels swapped: dx's convolution of dy\n")
        .beginControlFlow("for (int co = 0; co < $L; co++)", outC())
        .beginControlFlow("for (int ci = 0; ci < $L; ci++)", inC())
        .addStatement("final int from = $L + (co * $L + ci) * $L, to = (ci * $L + co) * $L", k.param("weight"), inC(), kk,
            outC(), kk)
        .addStatement("for (int tap = 0; tap < $L; tap++) $L[to + tap] = params[from + $L - tap]", kk, flipped, kk - 1)
        .endControlFlow().endControlFlow()
        .add("// in the micro-kernel's panel layout, as the transposed convolution reads it\n")
        .addStatement("$T.pack($L, $L, $L, 0, $L, 1, $L, 0)", GEMM, inC(), outC() * kk, flipped, outC() * kk, packedFlipped);
    c.addStatement("final float[] packedFlipped = $L", packedFlipped);
  }

  // ---- strided dx per phase plane: no dcol matrix, no col2im ----

  /**
   * The taps of one dimension that land on phase {@code a} of the padded input: tap t reads padded
   * row o·s + t·d, which lies in phase plane a = (t·d) mod s, at plane row o + (t·d) div s. So plane
   * row i of phase a gathers dy row i − u for each such tap, u = (t·d) div s; {@code lo} and
   * {@code hi} bound the plane rows that are input rows (not padding).
   */
  private record Phase(int a, int[] taps, int[] shifts, int lo, int hi) {
    /** Plane row lo's input row. */
    int first(Window win) {
      return lo * win.s() + a - win.padBefore();
    }

    int count() {
      return hi - lo;
    }
  }

  private List<Phase> phases(Window win, int inputLength, int planeLength) {
    List<Phase> out = new ArrayList<>();
    for (int a = 0; a < win.s(); a++) {
      List<Integer> taps = new ArrayList<>();
      for (int t = 0; t < win.k(); t++) if (t * win.d() % win.s() == a) taps.add(t);
      int lo = Math.max(0, ceilDiv(win.padBefore() - a, win.s()));
      int hi = Math.min(planeLength, ceilDiv(inputLength + win.padBefore() - a, win.s()));
      out.add(new Phase(a, taps.stream().mapToInt(Integer::intValue).toArray(),
          taps.stream().mapToInt(t -> t * win.d() / win.s()).toArray(), lo, Math.max(lo, hi)));
    }
    return out;
  }

  /**
   * Phase plane (rows.a, cols.a) and its taps, kh·kW + kw for each (kh, kw) that lands on it; those
   * with taps have their (CI, CO·taps) weights packed from {@code weights} on, one after another.
   */
  private record Plane(Phase rows, Phase cols, int[] taps, int weights) {}

  private List<Plane> planes() {
    List<Plane> out = new ArrayList<>();
    int weights = 0;
    for (Phase ph : phases(h, input.h(), hph())) {
      for (Phase pw : phases(w, input.w(), wph())) {
        int[] taps = new int[ph.taps().length * pw.taps().length];
        for (int x = 0, t = 0; x < ph.taps().length; x++) {
          for (int y = 0; y < pw.taps().length; y++, t++) taps[t] = ph.taps()[x] * w.k() + pw.taps()[y];
        }
        out.add(new Plane(ph, pw, taps, weights));
        weights += inC() * outC() * taps.length;
      }
    }
    return out;
  }

  /** dy's zero border for the phase planes: the largest shift above (rows) or left (columns). */
  private static int phaseBorder(Window win) {
    return (win.k() - 1) * win.d() / win.s();
  }

  /** Rows and columns of the bordered dy the phase planes read. */
  private int hz() {
    return phaseBorder(h) + Math.max(output.h(), hph());
  }

  private int wz() {
    return phaseBorder(w) + Math.max(output.w(), wph());
  }

  /** The (CI, CO·|row taps|·|column taps|) weights of each phase plane that has taps, packed one after another. */
  private void packPhaseKernels(CodeBlock.Builder c, JavaGen k) {
    int kk = h.k() * w.k();
    String phaseW = k.aux("phasew", (long) inC() * outC() * kk, false, false);
    String packedPhases = k.aux("packedphases", (long) inC() * outC() * kk, false, false);
    CodeBlock.Builder p = k.prepare()
        .add("// w regrouped per phase plane of the padded input: plane (a, b)'s block holds, for each input channel,\n")
        .add("// the taps (kh, kw) that land on it, (co, kh, kw)-major; packed for the micro-kernel\n");
    for (Plane pl : planes()) {
      int per = pl.taps().length;
      if (per == 0) continue;
      int kab = outC() * per;
      p.beginControlFlow("for (int co = 0; co < $L; co++)", outC())
          .beginControlFlow("for (int ci = 0; ci < $L; ci++)", inC())
          .addStatement("final int from = $L + (co * $L + ci) * $L, to = $L + ci * $L + co * $L", k.param("weight"), inC(), kk,
              pl.weights(), kab, per);
      if (per == 1) p.addStatement("$L[to] = params[from + $L]", phaseW, pl.taps()[0]);
      else p.addStatement("for (int e = 0; e < $L; e++) $L[to + e] = params[from + $L[e]]", per, phaseW,
          k.table("phase" + pl.rows().a() + pl.cols().a() + "taps", CodeBlock.of("new int[] {$L}", joined(pl.taps()))));
      p.endControlFlow().endControlFlow()
          .addStatement("$T.pack($L, $L, $L, $L, $L, 1, $L, $L)", GEMM, inC(), kab, phaseW, pl.weights(), kab, packedPhases,
              pl.weights());
    }
    c.addStatement("final float[] packedPhases = $L", packedPhases);
  }

  private static String joined(int[] values) {
    StringBuilder b = new StringBuilder();
    for (int v : values) b.append(b.length() == 0 ? "" : ", ").append(v);
    return b.toString();
  }

  /**
   * dx of a strided conv, one phase plane of the padded input at a time. Plane (a, b) holds the
   * padded pixels (i·s_h + a, j·s_w + b); only the taps (kh, kw) with kh·d ≡ a and kw·d ≡ b read it,
   * tap kh from plane row oh + u (u = (kh·d) div s), so plane row i gathers dy row i − u: a stride-1
   * correlation of dy with those taps. With dy in a zero border (the largest u above, v left), each
   * plane is one product dxw (CI, rows·Wz) = its weights (CI, CO·taps) · dy's shifted views, read
   * through a table as the forward reads x, and its valid columns go straight into dx: no (K, P)
   * dcol matrix and no col2im pass.
   */
  private void inputGradientByPhases(CodeBlock.Builder c, JavaGen k) {
    int top = phaseBorder(h), left = phaseBorder(w);
    List<Plane> planes = planes();
    // each plane's product goes to its own block of dxw (at[p], −1 for none); one pass then writes dx
    // row by row, every column phase of a row back to back (plane by plane, the strided writes cost
    // more than the products)
    int[] at = new int[planes.size()];
    int total = 0;
    for (int p = 0; p < planes.size(); p++) {
      Plane pl = planes.get(p);
      boolean computed = pl.taps().length > 0 && pl.rows().count() > 0 && pl.cols().count() > 0;
      at[p] = computed ? total : -1;
      if (computed) total += inC() * pl.rows().count() * wz();
    }
    c.addStatement("final float[] dyz = $L", k.scratch("dphases", (long) outC() * hz() * wz() + wz()))
        .add("// dy into the middle of its zero border ($L rows above, $L columns left; the rest is never written)\n", top, left)
        .beginControlFlow("for (int co = 0; co < $L; co++)", outC())
        .addStatement("for (int oh = 0; oh < $L; oh++) System.arraycopy(dy, n * $L + co * $L + oh * $L, dyz, (co * $L + oh + $L) * $L + $L, $L)",
            output.h(), output.size(), planeOut(), output.w(), hz(), top, wz(), left, output.w())
        .endControlFlow()
        .addStatement("final float[] dxw = $L", k.scratch("dwide", (long) Math.max(1, total)));
    for (int p = 0; p < planes.size(); p++) {
      if (at[p] < 0) continue;
      Plane pl = planes.get(p);
      Phase ph = pl.rows(), pw = pl.cols();
      int n = ph.count() * wz();
      String table = k.table("phase" + ph.a() + pw.a() + "rows", CodeBlock.of("$T.transposedPhase($L, $L, $L, $L, $L, new int[] {$L}, new int[] {$L})",
          com.squareup.javapoet.ClassName.get("dev.cnnc.runtime.cpu", "Shifts"), outC(), hz(), wz(), ph.lo() + top,
          pw.lo() + left, joined(ph.shifts()), joined(pw.shifts())));
      c.add("// phase plane ($L, $L) (padded rows $L + $L·i, columns $L + $L·j): $L of the $L×$L taps read it\n", ph.a(), pw.a(),
              ph.a(), h.s(), pw.a(), w.s(), pl.taps().length, h.k(), w.k())
          .addStatement("$T.mmRowsPacked($L, $L, $L, packedPhases, $L, dyz, 0, $L, dxw, $L, $L, false)", GEMM, inC(), n,
              outC() * pl.taps().length, pl.weights(), table, at[p], n);
    }
    String op = k.accumulate(0) ? "+=" : "=";
    c.add("// dx $L the planes' valid pixels, row by row\n", op)
        .beginControlFlow("for (int ci = 0; ci < $L; ci++)", inC());
    for (Phase ph : phases(h, input.h(), hph())) {
      if (ph.count() == 0) continue;
      c.beginControlFlow("for (int i = 0; i < $L; i++)", ph.count())
          .addStatement("final int to = n * $L + (ci * $L$L + i * $L) * $L", input.size(), input.h(), plus(ph.first(h)), h.s(),
              input.w());
      for (int p = 0; p < planes.size(); p++) {
        Plane pl = planes.get(p);
        Phase pw = pl.cols();
        if (pl.rows().a() != ph.a() || pw.count() == 0) continue;
        if (at[p] >= 0) {
          c.addStatement("for (int j = 0, from = $Lci * $L + i * $L; j < $L; j++) dx[to$L + j * $L] $L dxw[from + j]",
              at[p] == 0 ? "" : at[p] + " + ", ph.count() * wz(), wz(), pw.count(), plus(pw.first(w)), w.s(), op);
        } else if (!k.accumulate(0)) {
          c.add("// no tap reads plane ($L, $L): its gradient is zero\n", ph.a(), pw.a())
              .addStatement("for (int j = 0; j < $L; j++) dx[to$L + j * $L] = 0f", pw.count(), plus(pw.first(w)), w.s());
        }
      }
      c.endControlFlow();
    }
    c.endControlFlow();
  }

  /** dy's border for the transposed convolution: d·(k − 1) − pad (before) on each side. */
  private static int qBefore(Window win) {
    return win.d() * (win.k() - 1) - win.padBefore();
  }

  private static int qAfter(Window win) {
    return win.d() * (win.k() - 1) - win.padAfter();
  }

  /** dx is a convolution of padded dy unless the conv pads more than its kernel reaches (never in practice). */
  private boolean transposable() {
    return qBefore(h) >= 0 && qAfter(h) >= 0 && qBefore(w) >= 0 && qAfter(w) >= 0;
  }

  /** Rows and columns of the padded dy: OH + 2q = H + d(k − 1). */
  private int hq() {
    return output.h() + qBefore(h) + qAfter(h);
  }

  private int wq() {
    return output.w() + qBefore(w) + qAfter(w);
  }

  /** Where row (co, kh, kw) of the transposed convolution's im2col starts in the padded dy. */
  private String transposedShifts(JavaGen k) {
    return k.table("dshifts", CodeBlock.of("$T.of($L, $L, $L, $L, $L, $L, $L)",
        com.squareup.javapoet.ClassName.get("dev.cnnc.runtime.cpu", "Shifts"), outC(), hq(), wq(), h.k(), w.k(), h.d(), w.d()));
  }

  /** Where row (ci, kh, kw) of im2col's matrix starts in the padded image: ci·Hp·Wp + kh·d·Wp + kw·d. */
  private String shifts(JavaGen k) {
    com.squareup.javapoet.ClassName shifts = com.squareup.javapoet.ClassName.get("dev.cnnc.runtime.cpu", "Shifts");
    if (strided()) {
      return k.table("shifts", CodeBlock.of("$T.phased($L, $L, $L, $L, $L, $L, $L, $L, $L)", shifts, inC(), h.s(), w.s(),
          hph(), wph(), h.k(), w.k(), h.d(), w.d()));
    }
    return k.table("shifts", CodeBlock.of("$T.of($L, $L, $L, $L, $L, $L, $L)", shifts, inC(), hp(), wp(), h.k(), w.k(),
        h.d(), w.d()));
  }

  /** Output pixels in the wide layout: OH rows of Wp (of a phase plane's width when strided). */
  private int wide() {
    return output.h() * wph();
  }

  /** The last tap's shift runs ((kw − 1)·d) div s columns past the last channel's plane. */
  private int slack() {
    return (w.k() - 1) * w.d() / w.s();
  }

  /** w (CO, K) in the micro-kernel's panel layout, packed once per launch; returns the array. */
  private String packedWeights(JavaGen k) {
    String packed = k.aux("packed", (long) outC() * taps(), false, false);
    k.prepare().add("// w (CO, K) in the micro-kernel's panel layout\n")
        .addStatement("$T.pack($L, $L, $L, $L, $L, 1, $L, 0)", GEMM, outC(), taps(), k.paramArray("weight"), k.param("weight"),
            taps(), packed);
    return packed;
  }

  private CodeBlock javaForwardShifted(JavaGen k) {
    boolean hasBias = bias || k.node().fold() != null;
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, y = $L, w = $L", k.x(0), k.y(), k.paramArray("weight"))
        .addStatement("final float[] yw = $L", k.scratch("wide", (long) outC() * wide()))
        .addStatement("final float[] packed = $L", packedWeights(k));
    declareResidual(c, k);
    c.beginControlFlow("for (int n = lo; n < hi; n++)");
    copyViews(c, k);
    c.add("// yw (CO, OH·Wp) = w (CO, K) · the K = (ci, kh, kw) shifted views of xp (K, OH·Wp): im2col's product, unwritten\n")
        .addStatement("$T.mmRowsPacked($L, $L, $L, packed, 0, xp, 0, $L, yw, 0, $L, false)", GEMM, outC(), wide(), taps(),
            shifts(k), wide());
    // every channel's wide rows are evenly spaced (wide = OH·Wp), so one call copies them all
    c.add("// the valid columns\n")
        .addStatement("$T.copyRows(yw, 0, $L, y, n * $L, $L, $L, $L)", BLOCKS, wph(), output.size(), output.w(),
            outC() * output.h(), output.w());
    if (hasBias || k.epilogue() != null || k.residual() != null) {
      // bias and activation over each whole plane, one loop of OH·OW rather than OH loops of OW
      // (32 or fewer) floats: ResNet-20 inference 1.14×, SimpleCNN's 1.13×
      c.add("// then $L over each plane\n", finishes(k, hasBias))
          .beginControlFlow("for (int co = 0; co < $L; co++)", outC())
          .addStatement("final int yc = n * $L + co * $L", output.size(), planeOut());
      if (hasBias) c.addStatement("final float b = $L[$L + co]", k.paramArray("bias"), k.param("bias"));
      c.addStatement("for (int i = yc; i < yc + $L; i++) y[i] = $L", planeOut(),
              finish(k, hasBias ? "y[i] + b" : "y[i]", hasBias, "i"))
          .endControlFlow();
    }
    return c.endControlFlow().build();
  }


  /**
   * Fills colᵀ (P, K) from image n of x: one row per output pixel, holding the (ci, kh, kw) taps it
   * reads. The weight gradient is then dy · colᵀ, a product whose inner dimension (P) needs no
   * horizontal sums, so layers with few pixels (8×8 in ResNet's last stage) stay fast.
   */
  private void im2colTransposed(CodeBlock.Builder c, JavaGen k) {
    im2colTransposed(c, k, "0");
  }

  /** colᵀ of image n from row {@code first} (a Java expression) of col on, rows K long. */
  private void im2colTransposed(CodeBlock.Builder c, JavaGen k, String first) {
    String src = padCopy(c, k);
    c.add("// colᵀ[(oh, ow), (ci, kh, kw)] = $L[ci, oh·$L + kh·$L, ow·$L + kw·$L]\n", src, h.s(), h.d(), w.s(), w.d());
    transposedPatchLoops(c, first, "col[at++]", src + "[row + kw * " + w.d() + "]", "=");
  }

  /**
   * The loops over image n's output pixels (oh, ow) and their taps (ci, kh, kw) in colᵀ's order:
   * {@code at} runs along colᵀ's rows from row {@code first} on, {@code row + kw·d} is the tap's
   * offset in the image (padded, or n's slice of x); the innermost statement is
   * {@code to op from}.
   */
  private void transposedPatchLoops(CodeBlock.Builder c, String first, String to, String from, String op) {
    String base = padded() ? "0" : "n * " + input.size();
    int rows = padded() ? hp() : input.h();
    int cols = padded() ? wp() : input.w();
    c.beginControlFlow("for (int oh = 0, at = $L; oh < $L; oh++)", first.equals("0") ? "0" : first + " * " + taps(), output.h())
        .beginControlFlow("for (int ow = 0; ow < $L; ow++)", output.w())
        .addStatement("final int pixel = $L + oh * $L + ow * $L", base, h.s() * cols, w.s())
        .beginControlFlow("for (int ci = 0; ci < $L; ci++)", inC())
        .beginControlFlow("for (int kh = 0; kh < $L; kh++)", h.k())
        .addStatement("final int row = pixel + ci * $L + kh * $L", rows * cols, h.d() * cols)
        .addStatement("for (int kw = 0; kw < $L; kw++) $L $L $L", w.k(), to, op, from)
        .endControlFlow().endControlFlow().endControlFlow().endControlFlow();
  }

  /** Adds (or writes) col (K, P) back into image n of dx: the transpose of im2col. */
  private void col2im(CodeBlock.Builder c, JavaGen k, boolean accumulate) {
    col2im(c, k, accumulate, planeOut(), "");
  }

  /** col2im from columns {@code at} + [0, P) of col, rows {@code ld} long (as {@link #im2col(CodeBlock.Builder, JavaGen, int, String)}). */
  private void col2im(CodeBlock.Builder c, JavaGen k, boolean accumulate, int ld, String at) {
    String dst = gradientTarget(c, k, accumulate);
    String base = padded() ? "0" : "n * " + input.size();
    c.add("// col2im: $L[ci, oh·$L + kh·$L, ow·$L + kw·$L] += dcol[(ci, kh, kw), (oh, ow)]\n", dst, h.s(), h.d(), w.s(), w.d())
        .beginControlFlow("for (int ci = 0, r = 0; ci < $L; ci++)", inC())
        .beginControlFlow("for (int kh = 0; kh < $L; kh++)", h.k())
        .beginControlFlow("for (int kw = 0; kw < $L; kw++, r++)", w.k())
        .beginControlFlow("for (int oh = 0; oh < $L; oh++)", output.h())
        .addStatement("final int to = $L + (ci * $L + oh * $L + kh * $L) * $L + kw * $L", base, padded() ? hp() : input.h(),
            h.s(), h.d(), padded() ? wp() : input.w(), w.d())
        .addStatement("for (int ow = 0, from = $Lr * $L + oh * $L; ow < $L; ow++) $L[to + $L] += col[from + ow]",
            at, ld, output.w(), output.w(), dst, w.s() == 1 ? "ow" : "ow * " + w.s())
        .endControlFlow().endControlFlow().endControlFlow().endControlFlow();
    paddedGradientToDx(c, accumulate);
  }

  /** Where col2im adds image n's gradient: a zeroed padded scratch, or dx itself (zeroed first unless accumulating). */
  private String gradientTarget(CodeBlock.Builder c, JavaGen k, boolean accumulate) {
    if (padded()) {
      c.addStatement("final float[] dxp = $L", k.scratch("dpadded", (long) inC() * hp() * wp()))
          .addStatement("java.util.Arrays.fill(dxp, 0f)");
      return "dxp";
    }
    if (!accumulate) c.addStatement("java.util.Arrays.fill(dx, n * $L, (n + 1) * $L, 0f)", input.size(), input.size());
    return "dx";
  }

  /** After col2im into the padded scratch: its middle into image n of dx. */
  private void paddedGradientToDx(CodeBlock.Builder c, boolean accumulate) {
    if (!padded()) return;
    c.add("// the middle of the padded gradient is dx\n")
        .beginControlFlow("for (int ci = 0; ci < $L; ci++)", inC())
        .beginControlFlow("for (int ih = 0; ih < $L; ih++)", input.h())
        .addStatement("final int to = n * $L + (ci * $L + ih) * $L, from = (ci * $L + ih + $L) * $L + $L", input.size(),
            input.h(), input.w(), hp(), h.padBefore(), wp(), w.padBefore())
        .addStatement("for (int iw = 0; iw < $L; iw++) dx[to + iw] $L dxp[from + iw]", input.w(), accumulate ? "+=" : "=")
        .endControlFlow().endControlFlow();
  }

  /**
   * Adds (or writes) colᵀ's rows {@code first} + [0, P) (a Java expression; rows K long) back into
   * image n of dx: the transpose of {@link #im2colTransposed(CodeBlock.Builder, JavaGen, String)}.
   */
  private void col2imTransposed(CodeBlock.Builder c, JavaGen k, boolean accumulate, String first) {
    String dst = gradientTarget(c, k, accumulate);
    c.add("// col2im: $L[ci, oh·$L + kh·$L, ow·$L + kw·$L] += dcolᵀ[(oh, ow), (ci, kh, kw)]\n", dst, h.s(), h.d(), w.s(),
        w.d());
    transposedPatchLoops(c, first, dst + "[row + kw * " + w.d() + "]", "col[at++]", "+=");
    paddedGradientToDx(c, accumulate);
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

  /** Values in one input patch: the inner dimension of the convolution as a product. */
  private int patch() {
    return inC() * h.k() * w.k();
  }

  @Override
  public void cudaForward(CudaGen k) {
    if (k.convolutions().gemm(patch())) {
      gemmForward(k);
      return;
    }
    boolean hasBias = bias || k.folded();
    int cob = channelBlock(outC(), 8);
    int groups = outC() / cob;
    int per = inC() * h.k() * w.k();
    String sum = "conv(x, w)" + (hasBias ? " + b" : "") + (k.residual() != null ? " + sc" : "");
    CudaGen.Kernel kernel = k.kernel("forward", "y = " + (k.epilogue() == null ? sum : k.epilogue().cudaApply(sum))
            + "; one thread per output pixel and " + cob + " output channel" + (cob > 1 ? "s" : ""))
        .out("y", k.y()).in("x", k.x(0)).in("w", k.param("weight"));
    if (hasBias) kernel.in("b", k.param("bias"));
    if (k.residual() != null) kernel.in("sc", k.residual());
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
        .line("float* yo = y + img * %d + g * %d + oh * %d + ow;", output.size(), cob * planeOut(), output.w());
    String v = "acc[j]";
    if (k.residual() != null) {
      c.line("const float* so = sc + img * %d + g * %d + oh * %d + ow;", output.size(), cob * planeOut(), output.w());
      v = "acc[j] + so[j * " + planeOut() + "]";
    }
    c.line("#pragma unroll")
        .line("for (int j = 0; j < %d; j++) yo[j * %d] = %s;", cob, planeOut(),
            k.epilogue() == null ? v : k.epilogue().cudaApply(v));
    kernel.threads((long) groups * planeOut(), 0).body(c);
  }

  @Override
  public void cudaBackward(CudaGen k) {
    if (k.convolutions().gemm(patch())) {
      gemmBackward(k);
      return;
    }
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
    Count chunks = chunk <= p
        ? Count.perImage(p / chunk)
        : new Count(1, 0, imagesPerChunk);
    CudaGen.Buf partial = chunk <= p
        ? k.scratch((long) (p / chunk) * rows, true, 0, CType.FLOAT)
        : k.scratch((rows + imagesPerChunk - 1) / imagesPerChunk, true, rows,
            CType.FLOAT);
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

    CudaGen.Buf folded = foldChunks(k, "backward_dw_fold", partial, rows,
        String.format(java.util.Locale.ROOT, "(n * %d + %d) / %d", p, chunk - 1, chunk), 1);
    CudaGen.Kernel reduce = k.kernel("backward_dw", "dw" + (bias ? " and db" : "") + " = the folded partial sums, added in"
            + " order")
        .in("partial", folded).out("dw", k.grad("weight"));
    if (bias) reduce.out("db", k.grad("bias"));
    CudaCode r = new CudaCode()
        .line("float sum = 0.f;")
        .line("for (int g = 0; g < %d; g++) sum += partial[g * %d + t];", FOLD_GROUPS, rows);
    if (bias) r.open("if (t < %d)", weights).line("dw[t] = sum;").reopen("else").line("db[t - %d] = sum;", weights).close();
    else r.line("dw[t] = sum;");
    reduce.threads(0, rows).body(r);
  }

  /** Groups of chunks a fold adds the chunks' partial sums into; the finishing thread then adds this many. */
  private static final int FOLD_GROUPS = 32;

  /**
   * The chunks' partial rows (partial[c · width + t] for c below the C expression {@code chunks})
   * folded into FOLD_GROUPS rows, each the in-order sum of a run of consecutive chunks, so that the
   * finish, one thread per value, adds 32 numbers rather than one per chunk (N·P/256 of them:
   * 1,024 for a 32×32 map at batch 256, in order, on one or two blocks); returns the folded rows.
   */
  private static CudaGen.Buf foldChunks(CudaGen k, String role, CudaGen.Buf partial, int width, String chunks,
      int slot) {
    CudaGen.Buf folded = k.scratch(slot, (long) FOLD_GROUPS * width, false, 0, CType.FLOAT);
    k.kernel(role, "the chunks' partial sums in " + FOLD_GROUPS + " runs of consecutive chunks, each added in order;"
            + " one thread per (run, value)")
        .in("partial", partial).out("folded", folded).grid(width, Count.of(FOLD_GROUPS))
        .body(new CudaCode()
            .line("const int chunks = %s, per = (chunks + %d) / %d;", chunks, FOLD_GROUPS - 1, FOLD_GROUPS)
            .line("const int c1 = min(chunks, (s + 1) * per);")
            .line("float sum = 0.f;")
            .line("for (int c = s * per; c < c1; c++) sum += partial[c * %d + t];", width)
            .line("folded[s * %d + t] = sum;", width));
    return folded;
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

  // ---- CUDA through cuBLAS. The N·P output pixels are rows: im2row copies each pixel's input
  // patch (ci, kh, kw) into a row of `col` (N·P, K), and the products are y' (N·P, O) = col · wᵀ,
  // dw (O, K) = dy'ᵀ · col and dcol (N·P, K) = dy' · w. Kernels around them add the bias and
  // activation and move y' and dy' between that pixel-major layout and (N, O, H, W); col2im gathers
  // dx from dcol. cuBLAS is column-major, so a row-major (r, c) matrix is its (c, r) transpose. ----

  /** Pixels a partial sum of db covers. */
  private static final int DB_CHUNK = 256;

  /** col (N·P, K): every output pixel's patch, zero where it reads padding; one thread per element. */
  private void im2row(CudaGen k, CudaGen.Buf col) {
    int kk = h.k() * w.k();
    int patch = patch();
    CudaCode c = new CudaCode()
        .line("const int kw = t %% %d, kh = t / %d %% %d, ci = t / %d %% %d;", w.k(), w.k(), h.k(), kk, inC())
        .line("const int pix = t / %d %% %d, img = t / %d;", patch, planeOut(), patch * planeOut())
        .line("const int oh = pix / %d, ow = pix %% %d;", output.w(), output.w())
        .line("const int ih = %s, iw = %s;", h.cudaTap("oh", "kh"), w.cudaTap("ow", "kw"))
        .line("col[t] = ih >= 0 && ih < %d && iw >= 0 && iw < %d ? x[((img * %d + ci) * %d + ih) * %d + iw] : 0.f;",
            input.h(), input.w(), inC(), input.h(), input.w());
    k.kernel("im2row", "col (N·" + planeOut() + ", " + patch + ") = each output pixel's input"
            + " patch (ci, kh, kw), 0 in the padding; one thread per element")
        .out("col", col).in("x", k.x(0)).threads((long) patch * planeOut(), 0).body(c);
  }

  private void gemmForward(CudaGen k) {
    boolean hasBias = bias || k.folded();
    int p = planeOut();
    int patch = patch();
    Count rows = Count.perImage(p);
    CudaGen.Buf col = k.scratch(1, (long) patch * p, true, 0, CType.FLOAT);
    CudaGen.Buf prod = k.scratch(0, (long) outC() * p, true, 0, CType.FLOAT);
    im2row(k, col);
    k.gemm(true, false, Count.of(outC()), rows,
        Count.of(patch), 1f, k.param("weight"), patch, col, patch, 0f, prod, outC(),
        "y' (N·" + p + ", " + outC() + ") = col · wᵀ");
    String sum = "y'" + (hasBias ? " + b" : "") + (k.residual() != null ? " + sc" : "");
    CudaGen.Kernel kernel = k.kernel("forward_layout", "y (N, " + outC() + ", " + output.h() + ", " + output.w() + ") = "
            + (k.epilogue() == null ? sum : k.epilogue().cudaApply(sum)) + " from the pixel-major y'; one thread per"
            + " output")
        .out("y", k.y()).in("yp", prod);
    if (hasBias) kernel.in("b", k.param("bias"));
    if (k.residual() != null) kernel.in("sc", k.residual());
    String v = "yp[(img * " + p + " + pix) * " + outC() + " + co]" + (hasBias ? " + b[co]" : "")
        + (k.residual() != null ? " + sc[t]" : "");
    kernel.threads((long) outC() * p, 0).body(new CudaCode()
        .line("const int pix = t %% %d, co = t / %d %% %d, img = t / %d;", p, p, outC(), outC() * p)
        .line("y[t] = %s;", k.epilogue() == null ? v : k.epilogue().cudaApply(v)));
  }

  private void gemmBackward(CudaGen k) {
    int p = planeOut();
    int patch = patch();
    Count rows = Count.perImage(p);
    Count out = Count.of(outC());
    Count inner = Count.of(patch);
    CudaGen.Buf g = k.scratch(0, (long) outC() * p, true, 0, CType.FLOAT);
    CudaGen.Buf col = k.scratch(1, (long) patch * p, true, 0, CType.FLOAT);
    CudaGen.Kernel layout = k.kernel("backward_layout", "dy' (N·" + p + ", " + outC() + ") = "
            + (k.epilogue() == null ? "dy" : k.epilogue().describe() + "'(y) · dy") + ", pixel-major; one thread per"
            + " output")
        .out("g", g).in("dy", k.dy());
    if (k.epilogue() != null) layout.in("y", k.y());
    layout.threads((long) outC() * p, 0).body(new CudaCode()
        .line("const int pix = t %% %d, co = t / %d %% %d, img = t / %d;", p, p, outC(), outC() * p)
        .line("g[(img * %d + pix) * %d + co] = %s;", p, outC(),
            k.epilogue() == null ? "dy[t]" : k.epilogue().cudaGradFromOutput("dy[t]", "y[t]")));
    if (bias) {
      int chunksPerImage = (p + DB_CHUNK - 1) / DB_CHUNK;
      CudaGen.Buf partial = k.scratch(2, (long) chunksPerImage * outC(), true, 0, CType.FLOAT);
      k.kernel("backward_db_partial", "partial sums of db over chunks of " + DB_CHUNK + " pixels of dy'; one thread"
              + " per (chunk, output channel)")
          .in("g", g).out("partial", partial)
          .grid(outC(), new Count(p, 0, DB_CHUNK))
          .body(new CudaCode()
              .line("const int j0 = s * %d, j1 = min(n * %d, j0 + %d);", DB_CHUNK, p, DB_CHUNK)
              .line("float sum = 0.f;")
              .line("for (int j = j0; j < j1; j++) sum += g[j * %d + t];", outC())
              .line("partial[s * %d + t] = sum;", outC()));
      CudaGen.Buf folded = foldChunks(k, "backward_db_fold", partial, outC(),
          String.format(java.util.Locale.ROOT, "(n * %d + %d) / %d", p, DB_CHUNK - 1, DB_CHUNK), 3);
      k.kernel("backward_db", "db = the folded partial sums, added in order; one thread per output channel")
          .in("partial", folded).out("db", k.grad("bias")).threads(0, outC())
          .body(new CudaCode()
              .line("float sum = 0.f;")
              .line("for (int g = 0; g < %d; g++) sum += partial[g * %d + t];", FOLD_GROUPS, outC())
              .line("db[t] = sum;"));
    }
    im2row(k, col);
    k.gemm(false, true, inner, out, rows, 1f, col, patch, g, outC(), 0f, k.grad("weight"), patch,
        "dw (" + outC() + ", " + patch + ") = dy'ᵀ · col");
    if (k.dx(0) == null) return;
    k.gemm(false, false, inner, rows, out, 1f, k.param("weight"), patch, g, outC(), 0f, col, patch,
        "dcol (N·" + p + ", " + patch + ") = dy' · w, over col");
    String op = k.accumulate(0) ? "+=" : "=";
    CudaCode c = new CudaCode()
        .line("const int iw = t %% %d, ih = t / %d %% %d, ci = t / %d %% %d, img = t / %d;", input.w(), input.w(),
            input.h(), planeIn(), inC(), planeIn() * inC())
        .line("const float* d = dcol + img * %d + ci * %d;", p * patch, h.k() * w.k())
        .line("float acc = 0.f;")
        .line("#pragma unroll")
        .open("for (int kh = 0; kh < %d; kh++)", h.k());
    h.cudaGather(c, "oh", "ih", "kh", output.h());
    c.line("#pragma unroll").open("for (int kw = 0; kw < %d; kw++)", w.k());
    w.cudaGather(c, "ow", "iw", "kw", output.w());
    c.line("acc += d[(oh * %d + ow) * %d + kh * %d + kw];", output.w(), patch, w.k())
        .close().close()
        .line("dx[t] %s acc;", op);
    k.kernel("backward_col2im", "dx " + op + " Σ of dcol over the patches that read each input pixel; one thread per"
            + " input element")
        .in("dcol", col).out("dx", k.dx(0)).threads((long) inC() * planeIn(), 0).body(c);
  }
}
