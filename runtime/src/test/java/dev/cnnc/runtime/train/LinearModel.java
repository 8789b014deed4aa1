// A tiny hand-written Model for tests: 4×4 average pooling to (3, 8, 8), then a linear softmax classifier.
package dev.cnnc.runtime.train;

import dev.cnnc.runtime.Model;
import dev.cnnc.runtime.StepResult;
import dev.cnnc.runtime.TensorSpec;
import java.util.List;
import java.util.Random;

/**
 * logits = W · pool4(x) + b with exact gradients of the mean (smoothed) cross-entropy. A running
 * per-channel input mean stands in for batch-norm statistics so checkpoints carry a buffer.
 */
class LinearModel implements Model {
  static final int F = 3 * 8 * 8; // features after pooling
  static final int K = 10;

  final int maxBatch;
  final float[] params = new float[K * F + K]; // fc.weight (K, F), then fc.bias (K)
  final float[] grads = new float[params.length];
  final float[] buffers = new float[3]; // pool.running_mean (3)
  private final float[] features; // (maxBatch, F)
  private final float[] logits = new float[K];

  LinearModel(int maxBatch, long initSeed) {
    this.maxBatch = maxBatch;
    this.features = new float[maxBatch * F];
    Random r = new Random(initSeed);
    for (int i = 0; i < K * F; i++) params[i] = (float) (r.nextGaussian() * 0.01);
  }

  @Override public String name() { return "Linear"; }
  @Override public int[] inputShape() { return new int[] {3, 32, 32}; }
  @Override public int classes() { return K; }
  @Override public int maxBatch() { return maxBatch; }
  @Override public float[] parameterData() { return params; }
  @Override public float[] gradientData() { return grads; }
  @Override public float[] bufferData() { return buffers; }

  @Override
  public List<TensorSpec> parameters() {
    return List.of(new TensorSpec("fc.weight", new int[] {K, F}, 0, true),
        new TensorSpec("fc.bias", new int[] {K}, K * F, false));
  }

  @Override
  public List<TensorSpec> buffers() {
    return List.of(new TensorSpec("pool.running_mean", new int[] {3}, 0, false));
  }

  @Override
  public StepResult trainStep(float[] x, int[] labels, int n, float labelSmoothing, long seed) {
    java.util.Arrays.fill(grads, 0f);
    pool(x, n);
    updateRunningMean(n);
    double lossSum = 0;
    int correct = 0;
    float off = labelSmoothing / K, on = 1 - labelSmoothing + off;
    for (int i = 0; i < n; i++) {
      forward(i);
      double max = Double.NEGATIVE_INFINITY;
      int best = 0;
      for (int k = 0; k < K; k++) {
        if (logits[k] > max) {
          max = logits[k];
          best = k;
        }
      }
      if (best == labels[i]) correct++;
      double sum = 0;
      for (int k = 0; k < K; k++) sum += Math.exp(logits[k] - max);
      double logSum = max + Math.log(sum);
      for (int k = 0; k < K; k++) {
        double target = k == labels[i] ? on : off;
        double logP = logits[k] - logSum;
        lossSum -= target * logP;
        // d(loss_i)/d(logit_k) = p_k − target_k; the mean over the batch divides by n.
        float dz = (float) ((Math.exp(logP) - target) / n);
        grads[K * F + k] += dz;
        int w = k * F, f = i * F;
        for (int j = 0; j < F; j++) grads[w + j] += dz * features[f + j];
      }
    }
    return new StepResult(lossSum, correct);
  }

  @Override
  public void infer(float[] x, int n, float[] out) {
    pool(x, n);
    for (int i = 0; i < n; i++) {
      forward(i);
      System.arraycopy(logits, 0, out, i * K, K);
    }
  }

  /** features (n, 3, 8, 8) = 4×4 averages of x (n, 3, 32, 32). */
  private void pool(float[] x, int n) {
    java.util.Arrays.fill(features, 0, n * F, 0f);
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 32; y++) {
          int src = ((i * 3 + c) * 32 + y) * 32;
          int dst = i * F + c * 64 + (y / 4) * 8;
          for (int xx = 0; xx < 32; xx++) features[dst + xx / 4] += x[src + xx] / 16f;
        }
      }
    }
  }

  private void forward(int i) {
    for (int k = 0; k < K; k++) {
      float z = params[K * F + k];
      int w = k * F, f = i * F;
      for (int j = 0; j < F; j++) z += params[w + j] * features[f + j];
      logits[k] = z;
    }
  }

  private void updateRunningMean(int n) {
    for (int c = 0; c < 3; c++) {
      double s = 0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < 64; j++) s += features[i * F + c * 64 + j];
      }
      buffers[c] = 0.9f * buffers[c] + 0.1f * (float) (s / (n * 64));
    }
  }
}
