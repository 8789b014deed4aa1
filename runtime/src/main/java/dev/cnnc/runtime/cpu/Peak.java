// Measures the FP32 multiply-add throughput one thread reaches: twelve independent FMA chains,
// enough to cover the FMA latency, so the figure is the core's peak rather than a guess.
package dev.cnnc.runtime.cpu;

public final class Peak {
  private Peak() {}

  /** GFLOP/s of one thread (an FMA counts two FLOPs), best of several short runs. */
  public static double perThreadGflops() {
    if (Gemm.strategy().startsWith("vector")) {
      try {
        return (double) Class.forName("dev.cnnc.runtime.cpu.VectorPeak").getMethod("gflops").invoke(null);
      } catch (ReflectiveOperationException | LinkageError e) {
        // fall through
      }
    }
    return scalarGflops();
  }

  private static double scalarGflops() {
    float a0 = 1, a1 = 1, a2 = 1, a3 = 1, a4 = 1, a5 = 1, a6 = 1, a7 = 1;
    float m = 0.999999f, c = 1e-7f;
    double best = 0;
    for (int run = 0; run < 5; run++) {
      long t0 = System.nanoTime();
      int iterations = 20_000_000;
      for (int i = 0; i < iterations; i++) {
        a0 = a0 * m + c; a1 = a1 * m + c; a2 = a2 * m + c; a3 = a3 * m + c;
        a4 = a4 * m + c; a5 = a5 * m + c; a6 = a6 * m + c; a7 = a7 * m + c;
      }
      double s = (System.nanoTime() - t0) / 1e9;
      best = Math.max(best, 16.0 * iterations / s / 1e9);
    }
    if (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 == 42) System.out.print("");
    return best;
  }
}
