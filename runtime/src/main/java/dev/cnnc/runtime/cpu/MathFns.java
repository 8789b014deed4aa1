// Scalar functions the generated kernels and the reference share, so both compute the same thing.
package dev.cnnc.runtime.cpu;

public final class MathFns {
  private static final double SQRT1_2 = 0.7071067811865476;
  private static final double INV_SQRT_2PI = 0.3989422804014327;

  private MathFns() {}

  /** GELU as PyTorch's default (exact, erf-based): x·Φ(x). */
  public static float gelu(float x) {
    return (float) gelu((double) x);
  }

  public static double gelu(double x) {
    return 0.5 * x * (1 + erf(x * SQRT1_2));
  }

  /** d gelu / dx = Φ(x) + x·φ(x). */
  public static float geluGrad(float x) {
    return (float) geluGrad((double) x);
  }

  public static double geluGrad(double x) {
    return 0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
  }

  public static float sigmoid(float x) {
    return (float) (1 / (1 + Math.exp(-x)));
  }

  public static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /**
   * The error function to about 1e-15: its Maclaurin series for |x| < 2.5, else a continued
   * fraction for erfc (Lentz's method). Java's Math has no erf.
   */
  public static double erf(double x) {
    double ax = Math.abs(x);
    if (ax < 2.5) {
      double sum = x;
      double term = x;
      double x2 = x * x;
      for (int n = 1; n < 60; n++) {
        term *= -x2 / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
      }
      return sum * 2 / Math.sqrt(Math.PI);
    }
    if (ax > 6) return Math.signum(x);
    double erfc = erfcContinuedFraction(ax);
    return x > 0 ? 1 - erfc : erfc - 1;
  }

  /** erfc(x) for x ≥ 2.5: exp(−x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …)))). */
  private static double erfcContinuedFraction(double x) {
    double tiny = 1e-300;
    double f = x;
    double c = x;
    double d = 0;
    for (int k = 1; k < 200; k++) {
      double a = k * 0.5;
      d = x + a * d;
      d = d == 0 ? tiny : d;
      c = x + a / c;
      c = c == 0 ? tiny : c;
      d = 1 / d;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
  }
}
