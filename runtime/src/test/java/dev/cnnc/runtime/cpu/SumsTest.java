// Both Sums strategies against plain double-precision loops, on runs that are not whole vectors.
package dev.cnnc.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SumsTest {
  private static final List<Sums.Impl> IMPLS = List.of(new Sums.ScalarSums(), new VectorSums());

  @Test
  void sumsMatchDoubleLoops() {
    SplittableRandom r = new SplittableRandom(3);
    float[] g = new float[300];
    float[] x = new float[300];
    for (int i = 0; i < g.length; i++) {
      g[i] = (float) r.nextGaussian();
      x[i] = (float) (5 + r.nextGaussian()); // a mean far from 0, as after a biased conv
    }
    float mean = 5.1f;
    for (int[] range : new int[][] {{0, 0}, {3, 4}, {7, 40}, {1, 300}, {16, 48}}) {
      int from = range[0], to = range[1];
      double s = 0, sq = 0, sg = 0, sgx = 0;
      for (int i = from; i < to; i++) {
        s += x[i];
        sq += (x[i] - mean) * (x[i] - mean);
        sg += g[i];
        sgx += g[i] * (x[i] - mean);
      }
      for (Sums.Impl impl : IMPLS) {
        String what = impl.getClass().getSimpleName() + " over [" + from + ", " + to + ")";
        assertEquals(s, impl.sum(x, from, to), 1e-4 * Math.max(1, Math.abs(s)), what + ": sum");
        assertEquals(sq, impl.squaredDeviations(x, from, to, mean), 1e-4 * Math.max(1, sq), what + ": squared deviations");
        float[] out = {9, 9, 9, 9};
        impl.gradientSums(g, x, from, to, mean, out, 1);
        assertEquals(9f, out[0], what + ": writes only sums[at], sums[at + 1]");
        assertEquals(sg, out[1], 1e-4 * Math.max(1, Math.abs(sg)), what + ": Σ g");
        assertEquals(sgx, out[2], 1e-4 * Math.max(1, Math.abs(sgx)), what + ": Σ g·(x − mean)");
        assertEquals(9f, out[3], what + ": writes only sums[at], sums[at + 1]");
      }
    }
  }

  @Test
  void reluGradientSumsMaskThenSum() {
    SplittableRandom r = new SplittableRandom(4);
    int size = 300;
    float[] g0 = new float[size], y = new float[size], x = new float[size];
    for (int i = 0; i < size; i++) {
      g0[i] = (float) r.nextGaussian();
      y[i] = i % 7 == 0 ? 0f : Math.max(0f, (float) r.nextGaussian()); // relu output: zeros and positives
      x[i] = (float) (2 + r.nextGaussian());
    }
    float mean = 1.9f;
    for (int[] range : new int[][] {{0, 0}, {3, 4}, {7, 40}, {1, 300}, {16, 48}}) {
      int from = range[0], to = range[1];
      float[] expected = g0.clone();
      double sg = 0, sgx = 0;
      for (int i = from; i < to; i++) {
        if (y[i] <= 0f) expected[i] = 0f;
        sg += expected[i];
        sgx += expected[i] * (x[i] - mean);
      }
      for (Sums.Impl impl : IMPLS) {
        String what = impl.getClass().getSimpleName() + " over [" + from + ", " + to + ")";
        float[] g = g0.clone();
        float[] out = {9, 9, 9};
        impl.reluGradientSums(g, y, x, from, to, mean, out, 1);
        assertEquals(9f, out[0], what + ": writes only sums[at], sums[at + 1]");
        assertEquals(sg, out[1], 1e-4 * Math.max(1, Math.abs(sg)), what + ": Σ relu'·g");
        assertEquals(sgx, out[2], 1e-4 * Math.max(1, Math.abs(sgx)), what + ": Σ relu'·g·(x − mean)");
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, g, what + ": g masked in place, only inside the range");
      }
    }
  }
}
