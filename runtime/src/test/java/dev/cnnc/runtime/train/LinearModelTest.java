// Checks that the test model's gradients are exact (finite differences in double), so Trainer tests can trust it.
package dev.cnnc.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearModelTest {
  @Test
  void gradientsMatchFiniteDifferencesWithLabelSmoothing() {
    LinearModel m = new LinearModel(4, 1);
    Random r = new Random(2);
    for (int i = 0; i < m.params.length; i++) m.params[i] = (float) (r.nextGaussian() * 0.1);
    float[] x = new float[4 * 3072];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
    int[] labels = {3, 0, 9, 3};
    m.trainStep(x, labels, 4, 0.1f, 0);
    float[] analytic = m.gradientData().clone();
    for (int idx : new int[] {0, 17, 191, 5 * 192 + 100, 1920, 1923, 1929}) {
      float saved = m.params[idx];
      double h = 1e-2;
      m.params[idx] = (float) (saved + h);
      double up = m.trainStep(x, labels, 4, 0.1f, 0).lossSum() / 4;
      m.params[idx] = (float) (saved - h);
      double down = m.trainStep(x, labels, 4, 0.1f, 0).lossSum() / 4;
      m.params[idx] = saved;
      double numeric = (up - down) / (2 * h);
      assertEquals(numeric, analytic[idx], 1e-4 + 1e-3 * Math.abs(numeric), "parameter " + idx);
    }
  }
}
