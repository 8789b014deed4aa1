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
            + signed(first) + " to " + signed(first + win.extent() - 1) + "; the input has " + axis + "s 0 to " + (n - 1) + ")",
        "a pooling window must hold at least one input: use padding of at most half the kernel, `p" + win.k() / 2
            + "` here (PyTorch's limit too)");
    return false;
  }

  private static String signed(long v) {
    return v < 0 ? "−" + -v : Long.toString(v);
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
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] x = $L, y = $L", k.x(0), k.y());
    boolean saveArg = max && k.training();
    if (saveArg) c.addStatement("final int[] arg = $L", k.aux("argmax", output.size(), true, true));
    c.beginControlFlow("for (int n = lo; n < hi; n++)")
        .beginControlFlow("for (int c = 0; c < $L; c++)", input.channels())
        .addStatement("final int xc = n * $L + c * $L", input.size(), input.h() * input.w())
        .addStatement("int yi = n * $L + c * $L", output.size(), output.h() * output.w())
        .beginControlFlow("for (int oh = 0; oh < $L; oh++)", output.h())
        .beginControlFlow("for (int ow = 0; ow < $L; ow++, yi++)", output.w());
    c.addStatement(max ? "float best = Float.NEGATIVE_INFINITY" : "float sum = 0f");
    if (max) c.addStatement("int at = -1");
    windowLoops(c);
    if (max) {
      c.beginControlFlow("if (x[xi] > best || at < 0)").addStatement("best = x[xi]").addStatement("at = xi").endControlFlow();
    } else {
      c.addStatement("sum += x[xi]");
    }
    c.endControlFlow().endControlFlow();
    c.addStatement(max ? "y[yi] = best" : "y[yi] = sum * $L", Activation.floatLiteral(1.0 / (h.k() * w.k())));
    if (saveArg) c.addStatement("arg[yi] = at");
    return c.endControlFlow().endControlFlow().endControlFlow().endControlFlow().build();
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
        .addStatement("final int iw = ow * $L - $L + kw * $L", w.s(), w.padBefore(), w.d())
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
