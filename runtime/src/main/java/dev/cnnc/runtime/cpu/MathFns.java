// Scalar functions of the generated kernels (float) and the reference (double): the same
// functions, the float ones computed to float precision, fast enough for every element.
package dev.cnnc.runtime.cpu;

public final class MathFns {
  private static final double SQRT1_2 = 0.7071067811865476;
  private static final double INV_SQRT_2PI = 0.3989422804014327;

  private MathFns() {}

  /** GELU as PyTorch's default (exact, erf-based): x·Φ(x). */
  public static float gelu(float x) {
    return 0.5f * x * (1 + erf(x * (float) SQRT1_2));
  }

  public static double gelu(double x) {
    return 0.5 * x * (1 + erf(x * SQRT1_2));
  }

  /**
   * d gelu / dx = Φ(x) + x·φ(x), as {@link #geluCdf} + {@link #geluPdfTerm}. Generated backward
   * loops call the two halves in two loops: C2 vectorizes a loop of either (0.3–0.4 ns an
   * element) but not one of both, whose body is over its unrolling limit (9–10 ns an element in a
   * harness, with Math.exp in double, a float exp by 2ⁿ scaling, or this squaring form at degree 7
   * alike).
   */
  public static float geluGrad(float x) {
    return geluCdf(x) + geluPdfTerm(x);
  }

  /** Φ(x), the standard normal distribution function: gelu(x) = x·Φ(x). */
  public static float geluCdf(float x) {
    return 0.5f * (1 + erf(x * (float) SQRT1_2));
  }

  /** x·φ(x), φ the standard normal density: the second half of gelu's derivative. */
  public static float geluPdfTerm(float x) {
    return x * (float) INV_SQRT_2PI * expNeg(0.5f * x * x);
  }

  /**
   * e^−y for y ≥ 0 in float, with only multiplies and adds (so loops of it vectorize; Java's
   * float-to-bits moves, which the usual 2ⁿ scaling needs, do not): (e^(−y/16))¹⁶, the inner one
   * Taylor's polynomial of degree 11. Within 1.4e-6 relative for y ≤ 4 and 5e-6 for y ≤ 16 (the
   * four squarings multiply the polynomial's rounding by 16; MathFnsTest); y is capped at 32, where
   * e^−y ≈ 1e-14 and the error grows to 1e-3 relative, irrelevant to x·φ(x) there.
   */
  public static float expNeg(float y) {
    final float u = Math.min(y, 32f) * -0.0625f;
    float p = u * 2.50521084e-8f + 2.75573192e-7f;
    p = p * u + 2.75573192e-6f;
    p = p * u + 2.48015873e-5f;
    p = p * u + 1.98412698e-4f;
    p = p * u + 1.38888889e-3f;
    p = p * u + 8.33333333e-3f;
    p = p * u + 4.16666667e-2f;
    p = p * u + 1.66666667e-1f;
    p = p * u + 0.5f;
    p = p * u + 1f;
    p = p * u + 1f;
    p *= p;
    p *= p;
    p *= p;
    return p * p;
  }

  public static double geluGrad(double x) {
    return 0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
  }

  /**
   * 1 where v > 0, else 0 (−0.0 gives 0 too, NaN gives NaN): relu's derivative, without a
   * branch. The smallest positive float is 2⁻¹⁴⁹, so v · 2¹⁴⁹ is at least 1 for every v > 0. Only
   * multiplies, min and max, so C2 vectorizes loops of it (a mask built from v's bits, the form
   * before, it did not: see Activation).
   */
  public static float heaviside(float v) {
    return Math.min(Math.max(v * 0x1p100f * 0x1p49f, 0f), 1f);
  }

  /**
   * 1 / (1 + e^−x) in float, within 3e-7 of the double one (MathFnsTest), as (1 + tanh(x/2)) / 2
   * on the rational tanh below: 0.65 ns an element in a loop here, against 3.5 for the same loop on
   * Math.exp in double (and 12 for Cephes' expf written out in float, why so slow not established).
   * Near 0 the error is absolute, not relative (sigmoid(−20) comes out 0, not 2e-9).
   */
  public static float sigmoid(float x) {
    return 0.5f + 0.5f * tanh(0.5f * x);
  }

  public static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /**
   * tanh in float, within 1e-6 of Math.tanh (MathFnsTest): the rational approximation Eigen and
   * XLA use, odd degree 13 over even degree 6, on [−7.9, 7.9] (beyond, tanh is ±1 in float). No
   * branch and no call: a loop of sigmoids on it ran 0.65 ns an element, which suggests C2 vectorizes
   * it (not checked in the assembly). A tanh fused into fc 4096 → 256 at batch 64: 2.2–2.5 → 1.8–2.0
   * ms a step with Math.tanh (in double) replaced.
   */
  public static float tanh(float v) {
    final float x = Math.max(-7.90531110763549805f, Math.min(7.90531110763549805f, v));
    final float x2 = x * x;
    float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
    p = x2 * p - 8.60467152213735e-11f;
    p = x2 * p + 5.12229709037114e-08f;
    p = x2 * p + 1.48572235717979e-05f;
    p = x2 * p + 6.37261928875436e-04f;
    p = x2 * p + 4.89352455891786e-03f;
    float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
    q = x2 * q + 2.26843463243900e-03f;
    q = x2 * q + 4.89352518554385e-03f;
    return x * p / q;
  }

  /**
   * The error function in float, within 5e-7 of the exact value (MathFnsTest): a rational
   * approximation, odd degree 13 over even degree 8, on [−4, 4] (beyond, erf is ±1 in float) —
   * the form Eigen and XLA use. No loop, no branch: the double series below took 90–140 ms per
   * GELU layer of airbench94 at batch 64 (forward or backward), most of its training step.
   */
  public static float erf(float v) {
    final float x = Math.max(-4f, Math.min(4f, v));
    final float x2 = x * x;
    float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
    p = x2 * p - 2.10102402082508e-06f;
    p = x2 * p - 5.69250639462346e-05f;
    p = x2 * p - 7.34990630326855e-04f;
    p = x2 * p - 2.95459980854025e-03f;
    p = x2 * p - 1.60960333262415e-02f;
    float q = x2 * -1.45660718464996e-05f - 2.13374055278905e-04f;
    q = x2 * q - 1.68282697438203e-03f;
    q = x2 * q - 7.37332916720468e-03f;
    q = x2 * q - 1.42647390514189e-02f;
    return x * p / q;
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
