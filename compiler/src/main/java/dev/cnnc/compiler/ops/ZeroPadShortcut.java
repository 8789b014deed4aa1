// ResNet option A shortcut: take every s-th pixel and pad the channels with zeros,
// (C, H, W) → (C', ceil(H/s), ceil(W/s)) with (C' − C)/2 zero channels before (the rest after).
package dev.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;

public record ZeroPadShortcut(Shape input, Shape output, int stride) implements Op {
  /** Zero channels placed before the input's channels. */
  public int padBefore() {
    return (output.channels() - input.channels()) / 2;
  }

  @Override
  public String kind() {
    return "zeropad";
  }

  @Override
  public String describe() {
    return "zeropad s" + stride + " " + input.channels() + "→" + output.channels();
  }

  /** y[n, c + padBefore, oh, ow] = x[n, c, oh·s, ow·s]; the other channels are zero. */
  @Override
  public void referenceForward(Ref r) {
    double[] x = r.x(0);
    double[] y = r.y();
    java.util.Arrays.fill(y, 0);
    forEachPair(r.n(), (xi, yi) -> y[yi] = x[xi]);
  }

  /** dx[n, c, oh·s, ow·s] += dy[n, c + padBefore, oh, ow]. */
  @Override
  public void referenceBackward(Ref r) {
    double[] dx = r.dx(0);
    if (dx == null) return;
    forEachPair(r.n(), (xi, yi) -> dx[xi] += r.dy()[yi]);
  }

  private interface Pair {
    void at(int xi, int yi);
  }

  private void forEachPair(int batch, Pair p) {
    for (int n = 0; n < batch; n++)
      for (int c = 0; c < input.channels(); c++)
        for (int oh = 0; oh < output.h(); oh++)
          for (int ow = 0; ow < output.w(); ow++) {
            p.at(((n * input.channels() + c) * input.h() + oh * stride) * input.w() + ow * stride,
                ((n * output.channels() + c + padBefore()) * output.h() + oh) * output.w() + ow);
          }
  }

  @Override
  public CodeBlock javaForward(JavaGen k) {
    int plane = output.h() * output.w();
    return CodeBlock.builder()
        .addStatement("final float[] x = $L, y = $L", k.x(0), k.y())
        .beginControlFlow("for (int n = lo; n < hi; n++)")
        .addStatement("java.util.Arrays.fill(y, n * $L, n * $L + $L, 0f)", output.size(), output.size(), padBefore() * plane)
        .addStatement("java.util.Arrays.fill(y, n * $L + $L, (n + 1) * $L, 0f)", output.size(),
            (padBefore() + input.channels()) * plane, output.size())
        .beginControlFlow("for (int c = 0; c < $L; c++)", input.channels())
        .addStatement("int yi = n * $L + (c + $L) * $L", output.size(), padBefore(), plane)
        .beginControlFlow("for (int oh = 0; oh < $L; oh++)", output.h())
        .addStatement("final int xr = n * $L + c * $L + oh * $L", input.size(), input.h() * input.w(), stride * input.w())
        .addStatement("for (int ow = 0; ow < $L; ow++) y[yi++] = x[xr + ow * $L]", output.w(), stride)
        .endControlFlow().endControlFlow().endControlFlow()
        .build();
  }

  @Override
  public CodeBlock javaBackward(JavaGen k) {
    String dx = k.dx(0);
    if (dx == null) return CodeBlock.of("// the network input needs no gradient\n");
    int plane = output.h() * output.w();
    CodeBlock.Builder c = CodeBlock.builder()
        .addStatement("final float[] dy = $L, dx = $L", k.dy(), dx)
        .beginControlFlow("for (int n = lo; n < hi; n++)");
    if (!k.accumulate(0) && stride > 1) c.addStatement("java.util.Arrays.fill(dx, n * $L, (n + 1) * $L, 0f)", input.size(), input.size());
    return c.beginControlFlow("for (int c = 0; c < $L; c++)", input.channels())
        .addStatement("int yi = n * $L + (c + $L) * $L", output.size(), padBefore(), plane)
        .beginControlFlow("for (int oh = 0; oh < $L; oh++)", output.h())
        .addStatement("final int xr = n * $L + c * $L + oh * $L", input.size(), input.h() * input.w(), stride * input.w())
        .addStatement("for (int ow = 0; ow < $L; ow++) dx[xr + ow * $L] $L dy[yi++]", output.w(), stride,
            k.accumulate(0) || stride > 1 ? "+=" : "=")
        .endControlFlow().endControlFlow().endControlFlow()
        .build();
  }

  // ---- CUDA: one thread per output element forward, per input element backward ----

  @Override
  public void cudaForward(CudaGen k) {
    int oh = output.h(), ow = output.w(), co = output.channels();
    k.kernel("forward", "every " + stride + "th pixel, channels padded with zeros")
        .in("x", k.x(0)).out("y", k.y()).threads(output.size(), 0)
        .body(new CudaCode()
            .line("const int ow = t %% %d, oh = t / %d %% %d, c = t / %d %% %d - %d, img = t / %d;", ow, ow, oh, oh * ow,
                co, padBefore(), output.size())
            .line("y[t] = c >= 0 && c < %d ? x[((img * %d + c) * %d + oh * %d) * %d + ow * %d] : 0.f;", input.channels(),
                input.channels(), input.h(), stride, input.w(), stride));
  }

  @Override
  public void cudaBackward(CudaGen k) {
    if (k.dx(0) == null) return;
    int h = input.h(), w = input.w(), c = input.channels();
    String op = k.accumulate(0) ? "+=" : "=";
    k.kernel("backward", "dx " + op + " dy at the pixels the forward took, else 0")
        .in("dy", k.dy()).out("dx", k.dx(0)).threads(input.size(), 0)
        .body(new CudaCode()
            .line("const int iw = t %% %d, ih = t / %d %% %d, c = t / %d %% %d, img = t / %d;", w, w, h, h * w, c, input.size())
            .line("const float g = ih %% %d == 0 && iw %% %d == 0 ? dy[((img * %d + c + %d) * %d + ih / %d) * %d + iw / %d] : 0.f;",
                stride, stride, output.channels(), padBefore(), output.h(), stride, output.w(), stride)
            .line("dx[t] %s g;", op));
  }
}
