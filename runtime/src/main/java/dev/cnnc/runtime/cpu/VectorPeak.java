// The Vector API half of Peak: twelve independent vector FMA chains in registers.
package dev.cnnc.runtime.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

final class VectorPeak {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int ITERATIONS = 100_000;

  private VectorPeak() {}

  /**
   * Best of many short calls: the loop must run in a normally compiled method (vectors live
   * across an on-stack-replacement entry stay boxed in Java 17, which hides the real speed).
   */
  public static double gflops() {
    double best = 0;
    float sink = 0;
    for (int run = 0; run < 400; run++) {
      long t0 = System.nanoTime();
      sink += chains(ITERATIONS);
      double s = (System.nanoTime() - t0) / 1e9;
      best = Math.max(best, 12.0 * 2 * S.length() * ITERATIONS / s / 1e9);
    }
    if (sink == 42) System.out.print("");
    return best;
  }

  private static float chains(int iterations) {
    FloatVector m = FloatVector.broadcast(S, 0.999999f);
    FloatVector c = FloatVector.broadcast(S, 1e-7f);
    FloatVector x0 = FloatVector.broadcast(S, 1f), x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0;
    FloatVector x6 = x0, x7 = x0, x8 = x0, x9 = x0, x10 = x0, x11 = x0;
    for (int i = 0; i < iterations; i++) {
      x0 = x0.fma(m, c); x1 = x1.fma(m, c); x2 = x2.fma(m, c); x3 = x3.fma(m, c);
      x4 = x4.fma(m, c); x5 = x5.fma(m, c); x6 = x6.fma(m, c); x7 = x7.fma(m, c);
      x8 = x8.fma(m, c); x9 = x9.fma(m, c); x10 = x10.fma(m, c); x11 = x11.fma(m, c);
    }
    return x0.add(x1).add(x2).add(x3).add(x4).add(x5).add(x6).add(x7).add(x8).add(x9).add(x10).add(x11)
        .reduceLanes(VectorOperators.ADD);
  }
}
