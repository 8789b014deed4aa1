// Softmax cross-entropy with label smoothing: the loss every network trains with.
package dev.cnnc.runtime.cpu;

public final class Loss {
  private Loss() {}

  /**
   * For each of the n rows of logits (n, k): p = softmax(row), q = (1 − ε)·onehot(label) + ε/k,
   * loss = −Σ q·log p. Writes d(mean loss)/d(logits) = (p − q)/n into {@code dLogits}.
   *
   * @param stats receives {summed loss, number of rows whose top logit is the label}
   */
  public static void softmaxCrossEntropy(
      float[] logits, int n, int k, int[] labels, float smoothing, float[] dLogits, double[] stats) {
    double lossSum = 0;
    int correct = 0;
    for (int i = 0; i < n; i++) {
      int row = i * k;
      int label = labels[i];
      if (label < 0 || label >= k) {
        throw new IllegalArgumentException("label " + label + " of image " + i + " is outside 0.." + (k - 1));
      }
      float max = logits[row];
      int best = 0;
      for (int j = 1; j < k; j++) {
        if (logits[row + j] > max) {
          max = logits[row + j];
          best = j;
        }
      }
      if (best == label) correct++;
      double sum = 0;
      for (int j = 0; j < k; j++) sum += Math.exp(logits[row + j] - max);
      double logSum = Math.log(sum) + max;
      double off = smoothing / k;
      double on = 1 - smoothing + off;
      for (int j = 0; j < k; j++) {
        double logP = logits[row + j] - logSum;
        double q = j == label ? on : off;
        lossSum -= q * logP;
        dLogits[row + j] = (float) ((Math.exp(logP) - q) / n);
      }
    }
    stats[0] = lossSum;
    stats[1] = correct;
  }
}
