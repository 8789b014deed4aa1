// Checks SGD, Adam and AdamW against hand-computed steps and a double-precision transcription of PyTorch's rules.
package dev.cnnc.runtime.optim;

import static org.junit.jupiter.api.Assertions.*;

import dev.cnnc.runtime.TensorSpec;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OptimizerTest {
  /** A weight (decayed) of 6 floats, then a bias (not decayed) of 3; one float at the end is no tensor's. */
  static final List<TensorSpec> SPECS = List.of(
      new TensorSpec("fc.bias", new int[] {3}, 6, false),
      new TensorSpec("fc.weight", new int[] {2, 3}, 0, true));
  static final int SIZE = 10;

  @Test
  void sgdMomentumByHand() {
    Optimizer o = OptimizerConfig.sgd(0.1, 0.9).create(SPECS, SIZE);
    float[] p = filled(1f), g = filled(0.5f);
    o.step(p, g, 0.1); // b = 0.5, p = 1 - 0.05
    assertEquals(0.95f, p[0], 1e-7);
    o.step(p, g, 0.1); // b = 0.9·0.5 + 0.5 = 0.95, p = 0.95 - 0.095
    assertEquals(0.855f, p[0], 1e-7);
    assertEquals(1f, p[9], "floats outside every tensor are not touched");
  }

  @Test
  void nesterovAndWeightDecayByHand() {
    Optimizer o = OptimizerConfig.sgd(0.1, 0.9).withNesterov(true).withWeightDecay(0.1).create(SPECS, SIZE);
    float[] p = filled(1f), g = filled(0.5f);
    o.step(p, g, 0.1);
    // weight: g = 0.5 + 0.1·1 = 0.6, b = 0.6, g' = 0.6 + 0.9·0.6 = 1.14, p = 1 - 0.114
    assertEquals(0.886f, p[0], 1e-7);
    // bias: no decay: g = 0.5, b = 0.5, g' = 0.95, p = 1 - 0.095
    assertEquals(0.905f, p[6], 1e-7);
  }

  @Test
  void adamFirstStepMovesEachWeightByAboutLr() {
    Optimizer o = OptimizerConfig.adam(0.01).create(SPECS, SIZE);
    float[] p = filled(1f), g = filled(0f);
    g[0] = 3f;
    g[1] = -0.2f;
    o.step(p, g, 0.01); // m̂ = g, v̂ = g², update = lr·g/(|g| + eps)
    assertEquals(1 - 0.01 * 3 / (3 + 1e-8), p[0], 1e-6);
    assertEquals(1 + 0.01 * 0.2 / (0.2 + 1e-8), p[1], 1e-6);
    assertEquals(1f, p[2], "zero gradient, no decay: no move");
  }

  @Test
  void adamWDecaysOnlyDecayedTensorsEvenWithZeroGradient() {
    Optimizer o = OptimizerConfig.adamW(0.1, 0.5).create(SPECS, SIZE);
    float[] p = filled(2f), g = filled(0f);
    o.step(p, g, 0.1);
    assertEquals(2 * (1 - 0.1 * 0.5), p[0], 1e-6);
    assertEquals(2f, p[6]);
  }

  @Test
  void sgdVariantsMatchPyTorchRules() {
    for (OptimizerConfig c : List.of(
        OptimizerConfig.sgd(0.05, 0),
        OptimizerConfig.sgd(0.05, 0.9).withWeightDecay(5e-4),
        OptimizerConfig.sgd(0.05, 0.9).withDampening(0.3).withWeightDecay(1e-2),
        OptimizerConfig.sgd(0.05, 0.8).withNesterov(true).withWeightDecay(1e-3))) {
      compare(c, new SgdReference(c));
    }
  }

  @Test
  void adamVariantsMatchPyTorchRules() {
    for (OptimizerConfig c : List.of(
        OptimizerConfig.adam(1e-3),
        OptimizerConfig.adam(3e-3).withWeightDecay(1e-2).withBetas(0.8, 0.99),
        OptimizerConfig.adamW(1e-3, 0.05),
        OptimizerConfig.adamW(2e-2, 0.1).withEps(1e-6))) {
      compare(c, new AdamReference(c));
    }
  }

  @Test
  void exportedStateContinuesBitForBit() {
    for (OptimizerConfig c : List.of(OptimizerConfig.sgd(0.1, 0.9).withNesterov(true),
        OptimizerConfig.adamW(1e-2, 0.1))) {
      Random r = new Random(1);
      float[][] grads = new float[6][];
      for (int s = 0; s < 6; s++) grads[s] = random(r, SIZE);
      float[] p1 = random(new Random(2), SIZE);
      Optimizer a = c.create(SPECS, SIZE);
      for (int s = 0; s < 3; s++) a.step(p1, grads[s], 0.1);
      float[] p2 = p1.clone();
      Optimizer b = c.create(SPECS, SIZE);
      b.importState(a.exportState());
      assertEquals(3, b.steps());
      for (int s = 3; s < 6; s++) {
        a.step(p1, grads[s], 0.1);
        b.step(p2, grads[s], 0.1);
      }
      assertArrayEquals(p1, p2, c.kind().toString());
    }
  }

  @Test
  void importRejectsStateOfTheWrongSize() {
    Optimizer o = OptimizerConfig.adam(1e-3).create(SPECS, SIZE);
    Map<String, float[]> bad = Map.of("step", new float[] {1}, "exp_avg", new float[3], "exp_avg_sq", new float[SIZE]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.importState(bad));
    assertTrue(e.getMessage().contains("'exp_avg' is 3 floats; expected 10"), e.getMessage());
  }

  @Test
  void invalidHyperParametersAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.sgd(0.1, 0).withNesterov(true));
    assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.sgd(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.adam(1e-3).withBetas(1, 0.9));
  }

  /** Runs 5 steps with a varying learning rate and compares every float with the reference. */
  private static void compare(OptimizerConfig c, Reference ref) {
    Random r = new Random(42);
    float[] p = random(r, SIZE);
    double[] q = new double[SIZE];
    for (int i = 0; i < SIZE; i++) q[i] = p[i];
    Optimizer o = c.create(SPECS, SIZE);
    for (int s = 0; s < 5; s++) {
      float[] g = random(r, SIZE);
      double lr = c.lr() * (1 - 0.1 * s);
      o.step(p, g, lr);
      ref.step(q, g, lr);
      for (int i = 0; i < SIZE; i++) {
        assertEquals(q[i], p[i], 1e-5 * Math.max(1, Math.abs(q[i])), c + " step " + s + " index " + i);
      }
    }
  }

  interface Reference {
    void step(double[] p, float[] g, double lr);
  }

  static boolean decays(int i) {
    return i < 6;
  }

  static boolean inTensor(int i) {
    return i < 9;
  }

  /** torch.optim.SGD's documented algorithm, in double. */
  static final class SgdReference implements Reference {
    final OptimizerConfig c;
    final double[] b = new double[SIZE];
    int t;

    SgdReference(OptimizerConfig c) {
      this.c = c;
    }

    @Override
    public void step(double[] p, float[] grad, double lr) {
      for (int i = 0; i < SIZE; i++) {
        if (!inTensor(i)) continue;
        double g = grad[i] + (decays(i) ? c.weightDecay() * p[i] : 0);
        if (c.momentum() != 0) {
          b[i] = t == 0 ? g : c.momentum() * b[i] + (1 - c.dampening()) * g;
          g = c.nesterov() ? g + c.momentum() * b[i] : b[i];
        }
        p[i] -= lr * g;
      }
      t++;
    }
  }

  /** torch.optim.Adam / AdamW's documented algorithm, in double. */
  static final class AdamReference implements Reference {
    final OptimizerConfig c;
    final double[] m = new double[SIZE], v = new double[SIZE];
    int t;

    AdamReference(OptimizerConfig c) {
      this.c = c;
    }

    @Override
    public void step(double[] p, float[] grad, double lr) {
      t++;
      boolean adamW = c.kind() == OptimizerConfig.Kind.ADAMW;
      for (int i = 0; i < SIZE; i++) {
        if (!inTensor(i)) continue;
        double wd = decays(i) ? c.weightDecay() : 0;
        double g = grad[i];
        if (adamW) p[i] *= 1 - lr * wd;
        else g += wd * p[i];
        m[i] = c.beta1() * m[i] + (1 - c.beta1()) * g;
        v[i] = c.beta2() * v[i] + (1 - c.beta2()) * g * g;
        double mHat = m[i] / (1 - Math.pow(c.beta1(), t));
        double vHat = v[i] / (1 - Math.pow(c.beta2(), t));
        p[i] -= lr * mHat / (Math.sqrt(vHat) + c.eps());
      }
    }
  }

  static float[] filled(float v) {
    float[] a = new float[SIZE];
    java.util.Arrays.fill(a, v);
    return a;
  }

  static float[] random(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
    return a;
  }
}
