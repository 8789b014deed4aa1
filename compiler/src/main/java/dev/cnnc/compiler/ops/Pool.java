// Max and average pooling: pool(k2, s2, p0 | same) and avgpool(...). The stride defaults to the kernel.
package dev.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import java.util.List;
import java.util.OptionalLong;

/** Average pooling divides by the full window, padding included (PyTorch's count_include_pad). */
public record Pool(Shape input, Shape output, Window h, Window w, boolean max) implements Op {
  public static final String USAGE = "pool(k2, s2, p0 | same) or avgpool(...); the stride defaults to the kernel";

  static Op bindMax(Binding b) {
    return bind(b, true);
  }

  static Op bindAvg(Binding b) {
    return bind(b, false);
  }

  private static Op bind(Binding b, boolean max) {
    Args a = b.args();
    List<Long> k = a.ints("kernel", 0, 1);
    Spatial.Result win = Spatial.read(b, OptionalLong.of(2), true,
        k.isEmpty() ? OptionalLong.empty() : OptionalLong.of(k.get(0)));
    a.finish();
    if (win == null || a.failed()) return null;
    if (!everyWindowReadsInput(b, win.h(), b.input().h(), "row") || !everyWindowReadsInput(b, win.w(), b.input().w(), "column")) {
      return null;
    }
    Shape out = Shape.chw(b.input().channels(), win.outH(), win.outW());
    return new Pool(b.input(), out, win.h(), win.w(), max);
  }

  /**
   * A window that holds only padding has no max (nor an average of anything): PyTorch refuses
   * padding over half the kernel; without this check such a window gave −∞ and no argmax.
   */
  private static boolean everyWindowReadsInput(Binding b, Window win, int n, String axis) {
    long o = win.emptyWindow(n);
    if (o < 0) return true;
    long first = o * win.s() - win.padBefore();
    b.error("window-in-padding",
        "`" + b.name() + "`: the window of output " + axis + " " + o + " reads only padding (input " + axis + "s "
            + Window.signed(first) + " to " + Window.signed(first + win.extent() - 1) + "; the input has " + axis + "s 0 to " + (n - 1) + ")",
        "a pooling window must hold at least one input: use padding of at most half the kernel, `p" + win.k() / 2
            + "` here (PyTorch's limit too)");
    return false;
  }

  @Override
  public String kind() {
    return max ? "pool" : "avgpool";
  }

  @Override
  public String describe() {
    return kind() + " " + new Spatial.Result(h, w, output.h(), output.w()).describe();
  }

  // ---- reference ----

  /** Max: the largest real input in the window (padding never wins). Average: the window sum / (kH·kW). */
  @Override
  public void referenceForward(Ref r) {
    double[] x = r.x(0);
    double[] y = r.y();
    int[] arg = new int[1];
    for (int n = 0; n < r.n(); n++)
      for (int c = 0; c < input.channels(); c++)
        for (int oh = 0; oh < output.h(); oh++)
          for (int ow = 0; ow < output.w(); ow++) {
            y[index(n, c, oh, ow)] = window(x, n, c, oh, ow, arg);
          }
  }

  /** Max: dy goes to the input that won; average: dy / (kH·kW) to every real input of the window. */
  @Override
  public void referenceBackward(Ref r) {
    double[] x = r.x(0);
    double[] dy = r.dy();
    double[] dx = r.dx(0);
    if (dx == null) return;
    int[] arg = new int[1];
    for (int n = 0; n < r.n(); n++)
      for (int c = 0; c < input.channels(); c++)
        for (int oh = 0; oh < output.h(); oh++)
          for (int ow = 0; ow < output.w(); ow++) {
            double g = dy[index(n, c, oh, ow)];
            if (max) {
              window(x, n, c, oh, ow, arg);
              dx[arg[0]] += g;
              continue;
            }
            for (int kh = 0; kh < h.k(); kh++)
              for (int kw = 0; kw < w.k(); kw++) {
                int ih = oh * h.s() - h.padBefore() + kh * h.d();
                int iw = ow * w.s() - w.padBefore() + kw * w.d();
                if (ih >= 0 && ih < input.h() && iw >= 0 && iw < input.w()) {
                  dx[((n * input.channels() + c) * input.h() + ih) * input.w() + iw] += g / (h.k() * w.k());
                }
              }
          }
  }

  private int index(int n, int c, int oh, int ow) {
    return ((n * input.channels() + c) * output.h() + oh) * output.w() + ow;
  }

  /** The window's max (its input index in arg[0]) or average. The first maximum wins ties. */
  private double window(double[] x, int n, int c, int oh, int ow, int[] arg) {
    double best = Double.NEGATIVE_INFINITY;
    double sum = 0;
    for (int kh = 0; kh < h.k(); kh++)
      for (int kw = 0; kw < w.k(); kw++) {
        int ih = oh * h.s() - h.padBefore() + kh * h.d();
        int iw = ow * w.s() - w.padBefore() + kw * w.d();
        if (ih < 0 || ih >= input.h() || iw < 0 || iw >= input.w()) continue;
        int xi = ((n * input.channels() + c) * input.h() + ih) * input.w() + iw;
        sum += x[xi];
        if (x[xi] > best) {
          best = x[xi];
          arg[0] = xi;
        }
      }
    return max ? best : sum / (h.k() * w.k());
  }

  // ---- Java kernels over images [lo, hi) ----

  /** A 2×2 max window with stride 2 and no padding: the common case, written without branches. */
  private boolean max2x2() {
    return max && h.equals(Window.of(2, 2, 1, 0)) && w.equals(Window.of(2, 2, 1, 0));
  }

  /**
   * max(a, b, e, f) without branches: random data makes every comparison a coin toss, and a
   * mispredicted branch per comparison made this loop four times slower. "b > a" is read off the
   * sign bit of a − b (zero when they tie, so the first element wins ties, as in the reference).
   */
  private CodeBlock javaMax2x2(JavaGen k) {
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, y = $L", k.x(0), k.y());
    if (k.training()) c.addStatement("final int[] arg = $L", k.aux("argmax", output.size(), true, true));
    c.beginControlFlow("for (int n = lo; n < hi; n++)")
        .beginControlFlow("for (int c = 0; c < $L; c++)", input.channels())
        .addStatement("int yi = n * $L + c * $L", output.size(), output.h() * output.w())
        .beginControlFlow("for (int oh = 0; oh < $L; oh++)", output.h())
        .addStatement("final int xr = n * $L + c * $L + oh * $L", input.size(), input.h() * input.w(), 2 * input.w())
        .beginControlFlow("for (int ow = 0; ow < $L; ow++, yi++)", output.w())
        .addStatement("final int i0 = xr + 2 * ow")
        .addStatement("final float a = x[i0], b = x[i0 + 1], e = x[i0 + $L], f = x[i0 + $L]", input.w(), input.w() + 1)
        .addStatement("final float top = Math.max(a, b), bottom = Math.max(e, f)")
        .addStatement("y[yi] = Math.max(top, bottom)");
    if (k.training()) {
      c.add("// 1 where the second of a pair is strictly larger\n")
          .addStatement("final int right = Float.floatToRawIntBits(a - b) >>> 31, rightBelow = Float.floatToRawIntBits(e - f) >>> 31")
          .addStatement("final int below = Float.floatToRawIntBits(top - bottom) >>> 31")
          .addStatement("arg[yi] = i0 + right + below * ($L + rightBelow - right)", input.w());
    }
    return c.endControlFlow().endControlFlow().endControlFlow().endControlFlow().build();
  }

  @Override
  public CodeBlock javaForward(JavaGen k) {
    if (max2x2()) return javaMax2x2(k);
    if (max) return javaMaxByRows(k);
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, y = $L", k.x(0), k.y());
    c.beginControlFlow("for (int n = lo; n < hi; n++)")
        .beginControlFlow("for (int c = 0; c < $L; c++)", input.channels())
        .addStatement("final int xc = n * $L + c * $L", input.size(), input.h() * input.w())
        .addStatement("int yi = n * $L + c * $L", output.size(), output.h() * output.w())
        .beginControlFlow("for (int oh = 0; oh < $L; oh++)", output.h())
        .beginControlFlow("for (int ow = 0; ow < $L; ow++, yi++)", output.w())
        .addStatement("float sum = 0f");
    windowLoops(c);
    c.addStatement("sum += x[xi]");
    c.endControlFlow().endControlFlow();
    c.addStatement("y[yi] = sum * $L", Activation.floatLiteral(1.0 / (h.k() * w.k())));
    return c.endControlFlow().endControlFlow().endControlFlow().endControlFlow().build();
  }

  /**
   * Any max window, in two passes over each plane: every input row's maximum over each output
   * column's window (value and index), then the maximum of those over the window's rows. Ties go
   * to the first row, and within it to the first column: the first maximum in (kh, kw) order, as
   * in the reference. Each step is a branch-free select ("v > best" is the sign bit of best − v,
   * 0 on a tie). With a compare-and-branch per input, a 3×3 stride-2 window took 26–45 ns an
   * output on random data and 4–8 on zeros (a harness, one thread), so the branches' outcomes
   * were the cost; this form took 4–9 ns on random data.
   */
  private CodeBlock javaMaxByRows(JavaGen k) {
    boolean arg = k.training();
    int inW = input.w(), outW = output.w(), rows = input.h() * outW;
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, y = $L", k.x(0), k.y())
        .addStatement("final float[] rowMax = $L", k.scratch("rowmax", rows));
    if (arg) {
      c.addStatement("final int[] arg = $L", k.aux("argmax", output.size(), true, true))
          .addStatement("final int[] rowArg = $L", k.scratch("rowarg", rows, true));
    }
    // columns [inLo, inHi) have windows wholly inside the row; the others start or end in the padding
    int inLo = (int) Math.min(outW, w.firstInside());
    int inHi = (int) Math.max(inLo, Math.min(outW, w.endInside(inW)));
    c.beginControlFlow("for (int n = lo; n < hi; n++)")
        .beginControlFlow("for (int c = 0; c < $L; c++)", input.channels())
        .addStatement("final int xc = n * $L + c * $L", input.size(), input.h() * inW)
        .add("// each input row: the maximum over every output column's window\n")
        .beginControlFlow("for (int ih = 0; ih < $L; ih++)", input.h())
        .addStatement("final int xr = xc + ih * $L, r = ih * $L", inW, outW);
    if (inLo > 0) edgeColumns(c, arg, 0, inLo);
    c.beginControlFlow("for (int ow = $L; ow < $L; ow++)", inLo, inHi)
        .addStatement("final int i = xr + ow * $L - $L", w.s(), w.padBefore())
        .addStatement("float best = x[i]");
    if (arg) c.addStatement("int at = i");
    c.beginControlFlow("for (int kw = 1; kw < $L; kw++)", w.k())
        .addStatement("final float v = x[i + $L]", times("kw", w.d()));
    if (arg) c.addStatement("at += (Float.floatToRawIntBits(best - v) >>> 31) * (i + $L - at)", times("kw", w.d()));
    c.addStatement("best = Math.max(best, v)")
        .endControlFlow()
        .addStatement("rowMax[r + ow] = best");
    if (arg) c.addStatement("rowArg[r + ow] = at");
    c.endControlFlow();
    if (inHi < outW) edgeColumns(c, arg, inHi, outW);
    c.endControlFlow()
        .add("// each output row: the maximum of its window's rows\n")
        .addStatement("int yi = n * $L + c * $L", output.size(), output.h() * outW)
        .beginControlFlow("for (int oh = 0; oh < $L; oh++, yi += $L)", output.h(), outW)
        .addStatement("final int top = oh * $L - $L", h.s(), h.padBefore())
        .addStatement("final int kh0 = $L, kh1 = Math.min($L, $L + 1)",
            h.padBefore() == 0 ? "0" : h.d() == 1 ? "Math.max(0, -top)" : "Math.max(0, (" + (h.d() - 1) + " - top) / " + h.d() + ")",
            h.k(), h.d() == 1 ? (input.h() - 1) + " - top" : "(" + (input.h() - 1) + " - top) / " + h.d())
        .addStatement("System.arraycopy(rowMax, (top + $L) * $L, y, yi, $L)", times("kh0", h.d()), outW, outW);
    if (arg) c.addStatement("System.arraycopy(rowArg, (top + $L) * $L, arg, yi, $L)", times("kh0", h.d()), outW, outW);
    c.beginControlFlow("for (int kh = kh0 + 1; kh < kh1; kh++)")
        .addStatement("final int r = (top + $L) * $L", times("kh", h.d()), outW)
        .beginControlFlow("for (int ow = 0; ow < $L; ow++)", outW)
        .addStatement("final float best = y[yi + ow], v = rowMax[r + ow]");
    if (arg) c.addStatement("arg[yi + ow] += (Float.floatToRawIntBits(best - v) >>> 31) * (rowArg[r + ow] - arg[yi + ow])");
    c.addStatement("y[yi + ow] = Math.max(best, v)")
        .endControlFlow().endControlFlow().endControlFlow();
    return c.endControlFlow().endControlFlow().build();
  }

  /** Output columns [from, to) of one input row, whose windows reach into the padding. */
  private void edgeColumns(CodeBlock.Builder c, boolean arg, int from, int to) {
    c.beginControlFlow("for (int ow = $L; ow < $L; ow++)", from, to)
        .addStatement("float best = Float.NEGATIVE_INFINITY");
    if (arg) c.addStatement("int at = -1");
    c.beginControlFlow("for (int kw = 0; kw < $L; kw++)", w.k())
        .addStatement("final int iw = ow * $L - $L + $L", w.s(), w.padBefore(), times("kw", w.d()))
        .addStatement("if (iw < 0 || iw >= $L) continue", input.w())
        .addStatement("final float v = x[xr + iw]");
    if (arg) {
      c.add("// the first real input wins whatever its value (at < 0 until then)\n")
          .addStatement("at += ((Float.floatToRawIntBits(best - v) >>> 31) | (at >>> 31)) * (xr + iw - at)");
    }
    c.addStatement("best = Math.max(best, v)")
        .endControlFlow()
        .addStatement("rowMax[r + ow] = best");
    if (arg) c.addStatement("rowArg[r + ow] = at");
    c.endControlFlow();
  }

  /** "kw" or "kw * 2". */
  private static String times(String v, int m) {
    return m == 1 ? v : v + " * " + m;
  }

  @Override
  public CodeBlock javaBackward(JavaGen k) {
    String dx = k.dx(0);
    if (dx == null) return CodeBlock.of("// the network input needs no gradient\n");
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] dy = $L, dx = $L", k.dy(), dx);
    if (max) c.addStatement("final int[] arg = $L", k.aux("argmax", output.size(), true, true));
    c.beginControlFlow("for (int n = lo; n < hi; n++)");
    if (!k.accumulate(0)) c.addStatement("java.util.Arrays.fill(dx, n * $L, (n + 1) * $L, 0f)", input.size(), input.size());
    if (max) {
      c.add("// each output's gradient goes to the input that won its window\n")
          .beginControlFlow("for (int yi = n * $L; yi < (n + 1) * $L; yi++)", output.size(), output.size())
          .addStatement("dx[arg[yi]] += dy[yi]")
          .endControlFlow();
      return c.endControlFlow().build();
    }
    c.beginControlFlow("for (int c = 0; c < $L; c++)", input.channels())
        .addStatement("final int xc = n * $L + c * $L", input.size(), input.h() * input.w())
        .addStatement("int yi = n * $L + c * $L", output.size(), output.h() * output.w())
        .beginControlFlow("for (int oh = 0; oh < $L; oh++)", output.h())
        .beginControlFlow("for (int ow = 0; ow < $L; ow++, yi++)", output.w())
        .addStatement("final float gv = dy[yi] * $L", Activation.floatLiteral(1.0 / (h.k() * w.k())));
    windowLoops(c);
    c.addStatement("dx[xi] += gv");
    return c.endControlFlow().endControlFlow().endControlFlow().endControlFlow().endControlFlow().endControlFlow().build();
  }

  /** Opens the kh and kw loops over the window's real inputs; {@code xi} indexes the input. */
  private void windowLoops(CodeBlock.Builder c) {
    c.beginControlFlow("for (int kh = 0; kh < $L; kh++)", h.k())
        .addStatement("final int ih = oh * $L - $L + kh * $L", h.s(), h.padBefore(), h.d())
        .addStatement("if (ih < 0 || ih >= $L) continue", input.h())
        .beginControlFlow("for (int kw = 0; kw < $L; kw++)", w.k())
        .addStatement("final int iw = ow * $L - $L + $L", w.s(), w.padBefore(), times("kw", w.d()))
        .addStatement("if (iw < 0 || iw >= $L) continue", input.w())
        .addStatement("final int xi = xc + ih * $L + iw", input.w());
  }

  // ---- CUDA: forward one thread per output, backward one thread per input (a gather: no atomics) ----

  @Override
  public void cudaForward(CudaGen k) {
    int oh = output.h(), ow = output.w(), c = input.channels();
    boolean saveArg = max && k.training();
    CudaGen.Kernel kernel = k.kernel("forward", max ? "the window's largest real input" + (saveArg ? ", and where it was" : "")
        : "the window's sum over kH·kW, padding included").in("x", k.x(0)).out("y", k.y());
    if (saveArg) kernel.out("arg", k.aux("argmax", output.size(), true, 0, dev.cnnc.runtime.cuda.CudaProgram.CType.INT));
    CudaCode code = new CudaCode()
        .line("const int ow = t %% %d, oh = t / %d %% %d, nc = t / %d;", ow, ow, oh, oh * ow)
        .line("const int xc = nc * %d;", input.h() * input.w())
        .line(max ? "float best = 0.f;" : "float sum = 0.f;");
    if (max) code.line("int at = -1;");
    code.line("#pragma unroll")
        .open("for (int kh = 0; kh < %d; kh++)", h.k())
        .line("const int ih = %s;", h.cudaTap("oh", "kh"))
        .line("if (ih < 0 || ih >= %d) continue;", input.h())
        .line("#pragma unroll")
        .open("for (int kw = 0; kw < %d; kw++)", w.k())
        .line("const int iw = %s;", w.cudaTap("ow", "kw"))
        .line("if (iw < 0 || iw >= %d) continue;", input.w())
        .line("const int xi = xc + ih * %d + iw;", input.w());
    if (max) {
      code.open("if (x[xi] > best || at < 0)").line("best = x[xi];").line("at = xi;").close();
    } else {
      code.line("sum += x[xi];");
    }
    code.close().close();
    code.line(max ? "y[t] = at < 0 ? cnnc_neg_inf() : best;" : "y[t] = sum * %s;", Activation.floatLiteral(1.0 / (h.k() * w.k())));
    if (saveArg) code.line("arg[t] = at;");
    kernel.threads(output.size(), 0).body(code);
  }

  @Override
  public void cudaBackward(CudaGen k) {
    if (k.dx(0) == null) return;
    String op = k.accumulate(0) ? "+=" : "=";
    int c = input.channels();
    CudaGen.Kernel kernel = k.kernel("backward", max ? "each input collects dy of the windows it won"
        : "each input collects dy / (kH·kW) of the windows that hold it").in("dy", k.dy());
    if (max) kernel.in("arg", k.aux("argmax", output.size(), true, 0, dev.cnnc.runtime.cuda.CudaProgram.CType.INT));
    kernel.out("dx", k.dx(0));
    CudaCode code = new CudaCode()
        .line("const int iw = t %% %d, ih = t / %d %% %d, nc = t / %d;", input.w(), input.w(), input.h(),
            input.h() * input.w())
        .line("const int yc = nc * %d;", output.h() * output.w())
        .line("float g = 0.f;")
        .line("#pragma unroll")
        .open("for (int kh = 0; kh < %d; kh++)", h.k());
    h.cudaGather(code, "oh", "ih", "kh", output.h());
    code.line("#pragma unroll").open("for (int kw = 0; kw < %d; kw++)", w.k());
    w.cudaGather(code, "ow", "iw", "kw", output.w());
    code.line("const int yi = yc + oh * %d + ow;", output.w());
    if (max) code.line("if (arg[yi] == t) g += dy[yi];");
    else code.line("g += dy[yi] * %s;", Activation.floatLiteral(1.0 / (h.k() * w.k())));
    code.close().close().line("dx[t] %s g;", op);
    kernel.threads(input.size(), 0).body(code);
  }
}
