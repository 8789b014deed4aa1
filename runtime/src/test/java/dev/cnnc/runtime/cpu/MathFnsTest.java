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
  void floatGeluAndItsDerivativeFollowTheDoubleOnes() {
    for (int i = -12_000; i <= 12_000; i++) {
      float x = i * 1e-3f;
      double scale = Math.max(1, Math.abs(x));
      assertEquals(MathFns.gelu((double) x), MathFns.gelu(x), 1e-6 * scale, "gelu at " + x);
      assertEquals(MathFns.geluGrad((double) x), MathFns.geluGrad(x), 1e-6 * scale, "gelu' at " + x);
    }
    // the derivative is the derivative: central differences of the double gelu
    for (double x = -5; x <= 5; x += 0.37) {
      double h = 1e-5;
      double numeric = (MathFns.gelu(x + h) - MathFns.gelu(x - h)) / (2 * h);
      assertEquals(numeric, MathFns.geluGrad((float) x), 2e-6, "gelu' at " + x);
    }
  }
}
