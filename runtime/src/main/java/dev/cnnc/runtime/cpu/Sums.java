// Sums over contiguous runs of floats, for batch-norm statistics: 16 lanes of partial sums with the
// Vector API when the JVM has it, else four scalar chains. C2 does not vectorize float reductions.
package dev.cnnc.runtime.cpu;

import java.util.Objects;

/**
 * Every entry point checks its ranges before the kernels run, so the kernels stay in bounds when
 * the Vector API's own per-load checks are turned off (see {@link Gemm}).
 */
public final class Sums {
  /** The strategy behind the static calls, chosen once. */
  public interface Impl {
    float sum(float[] a, int from, int to);

    float squaredDeviations(float[] a, int from, int to, float mean);

    void gradientSums(float[] g, float[] x, int from, int to, float mean, float[] sums, int at);

    void reluGradientSums(float[] g, float[] y, float[] x, int from, int to, float mean, float[] sums, int at);
  }

  private static final Impl IMPL = choose();

  private Sums() {}

  private static Impl choose() {
    if (Gemm.strategy().startsWith("vector")) {
      try {
        return (Impl) Class.forName("dev.cnnc.runtime.cpu.VectorSums").getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException | LinkageError e) {
        // fall through to the portable loops
      }
    }
    return new ScalarSums();
  }

  /** Σ a[from..to). */
  public static float sum(float[] a, int from, int to) {
    Objects.checkFromToIndex(from, to, a.length);
    return IMPL.sum(a, from, to);
  }

  /** Σ (a[i] − mean)² over [from, to). */
  public static float squaredDeviations(float[] a, int from, int to, float mean) {
    Objects.checkFromToIndex(from, to, a.length);
    return IMPL.squaredDeviations(a, from, to, mean);
  }

  /**
   * Batch norm's two backward sums in one pass over [from, to): sums[at] = Σ g and sums[at + 1] =
   * Σ g · (x − mean). One read of g and x instead of two; the caller's array, so nothing is allocated.
   */
  public static void gradientSums(float[] g, float[] x, int from, int to, float mean, float[] sums, int at) {
    Objects.checkFromToIndex(from, to, g.length);
    Objects.checkFromToIndex(from, to, x.length);
    Objects.checkFromIndexSize(at, 2, sums.length);
    IMPL.gradientSums(g, x, from, to, mean, sums, at);
  }

  /**
   * {@link #gradientSums} after relu's derivative: first g[i] = 0 wherever y[i] ≤ 0 (in place, y
   * being relu's output), in the same pass, so g is read and written once instead of twice.
   */
  public static void reluGradientSums(float[] g, float[] y, float[] x, int from, int to, float mean, float[] sums, int at) {
    Objects.checkFromToIndex(from, to, g.length);
    Objects.checkFromToIndex(from, to, y.length);
    Objects.checkFromToIndex(from, to, x.length);
    Objects.checkFromIndexSize(at, 2, sums.length);
    IMPL.reluGradientSums(g, y, x, from, to, mean, sums, at);
  }

  static final class ScalarSums implements Impl {
    @Override
    public void reluGradientSums(float[] g, float[] y, float[] x, int from, int to, float mean, float[] sums, int at) {
      for (int i = from; i < to; i++) {
        if (!(y[i] > 0f)) g[i] = 0f;
      }
      gradientSums(g, x, from, to, mean, sums, at);
    }

    @Override
    public void gradientSums(float[] g, float[] x, int from, int to, float mean, float[] sums, int at) {
      float s = 0f, sx = 0f;
      for (int i = from; i < to; i++) {
        s += g[i];
        sx += g[i] * (x[i] - mean);
      }
      sums[at] = s;
      sums[at + 1] = sx;
    }

    @Override
    public float sum(float[] a, int from, int to) {
      float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
      int i = from;
      for (; i + 3 < to; i += 4) {
        s0 += a[i];
        s1 += a[i + 1];
        s2 += a[i + 2];
        s3 += a[i + 3];
      }
      for (; i < to; i++) s0 += a[i];
      return (s0 + s1) + (s2 + s3);
    }

    @Override
    public float squaredDeviations(float[] a, int from, int to, float mean) {
      float s = 0f;
      for (int i = from; i < to; i++) s += (a[i] - mean) * (a[i] - mean);
      return s;
    }

  }
}
