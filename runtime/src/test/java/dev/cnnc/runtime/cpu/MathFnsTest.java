// The float functions the generated kernels call against the double ones the reference uses.
package dev.cnnc.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MathFnsTest {
  @Test
  void floatErfIsWithin5e7OfTheSeries() {
    double worst = 0;
    for (int i = -80_000; i <= 80_000; i++) {
      float x = i * 1e-4f;
      worst = Math.max(worst, Math.abs(MathFns.erf(x) - MathFns.erf((double) x)));
      assertEquals(-MathFns.erf(x), MathFns.erf(-x), "erf is odd at " + x);
    }
    assertTrue(worst < 5e-7, "worst error " + worst);
    assertEquals(1f, MathFns.erf(Float.POSITIVE_INFINITY));
    assertEquals(-1f, MathFns.erf(-1e30f));
    assertEquals(0.8427007929497149, MathFns.erf(1f), 5e-7);
  }

  @Test
  void floatSigmoidAndTanhFollowTheDoubleOnes() {
    for (int i = -200_000; i <= 200_000; i++) {
      float x = i * 1e-4f;
      assertEquals(MathFns.sigmoid((double) x), MathFns.sigmoid(x), 3e-7, "sigmoid at " + x);
      assertEquals(Math.tanh(x), MathFns.tanh(x), 1e-6, "tanh at " + x);
      assertEquals(-MathFns.tanh(x), MathFns.tanh(-x), "tanh is odd at " + x);
    }
    assertEquals(1f, MathFns.sigmoid(200f));
    assertEquals(0f, MathFns.sigmoid(-200f));
    assertEquals(0.5f, MathFns.sigmoid(0f));
    assertEquals(1f, MathFns.tanh(1e30f));
    assertEquals(-1f, MathFns.tanh(Float.NEGATIVE_INFINITY));
    assertEquals(1e-5f, MathFns.tanh(1e-5f), 1e-12);
    assertTrue(Float.isNaN(MathFns.sigmoid(Float.NaN)) && Float.isNaN(MathFns.tanh(Float.NaN)));
  }

  @Test
  void heavisideIsOneExactlyForPositiveFloats() {
    float[] positive = {Float.MIN_VALUE, Float.MIN_NORMAL, 1e-30f, 0.5f, 1f, 3e38f, Float.MAX_VALUE, Float.POSITIVE_INFINITY};
    float[] notPositive = {0f, -0f, -Float.MIN_VALUE, -1f, -Float.MAX_VALUE, Float.NEGATIVE_INFINITY};
    for (float v : positive) assertEquals(1f, MathFns.heaviside(v), "at " + v);
    for (float v : notPositive) assertEquals(0f, Math.abs(MathFns.heaviside(v)), "at " + v);
    assertTrue(Float.isNaN(MathFns.heaviside(Float.NaN)));
    for (int i = -100_000; i <= 100_000; i++) {
      float v = i * 1.37e-3f;
      assertEquals(v > 0 ? 1f : 0f, Math.abs(MathFns.heaviside(v)), "at " + v);
    }
  }

  @Test
  void floatExpNegFollowsMathExp() {
    double worst = 0;
    for (int i = 0; i <= 160_000; i++) {
      float y = i * 1e-4f;
      worst = Math.max(worst, Math.abs(MathFns.expNeg(y) - Math.exp(-y)) / Math.exp(-y));
    }
    assertTrue(worst < 5e-6, "worst relative error for y ≤ 16: " + worst);
    for (float y = 16; y <= 32; y += 1e-3f) {
      assertEquals(Math.exp(-y), MathFns.expNeg(y), 2e-3 * Math.exp(-y), "e^-" + y);
    }
    assertEquals(1f, MathFns.expNeg(0f));
    assertEquals(MathFns.expNeg(32f), MathFns.expNeg(Float.POSITIVE_INFINITY), "capped at 32");
  }

  @Test
  void floatGeluAndItsDerivativeFollowTheDoubleOnes() {
    for (int i = -12_000; i <= 12_000; i++) {
      float x = i * 1e-3f;
      double scale = Math.max(1, Math.abs(x));
      assertEquals(MathFns.gelu((double) x), MathFns.gelu(x), 1e-6 * scale, "gelu at " + x);
      assertEquals(MathFns.geluGrad((double) x), MathFns.geluGrad(x), 1e-6 * scale, "gelu' at " + x);
      assertEquals(MathFns.geluGrad(x), MathFns.geluCdf(x) + MathFns.geluPdfTerm(x), "gelu' in halves at " + x);
    }
    // the derivative is the derivative: central differences of the double gelu
    for (double x = -5; x <= 5; x += 0.37) {
      double h = 1e-5;
      double numeric = (MathFns.gelu(x + h) - MathFns.gelu(x - h)) / (2 * h);
      assertEquals(numeric, MathFns.geluGrad((float) x), 2e-6, "gelu' at " + x);
    }
  }
}
