// Accuracy, loss, per-class accuracy and the confusion matrix of a model on a data set.
package dev.cnnc.runtime.train;

import dev.cnnc.runtime.Model;
import dev.cnnc.runtime.data.BatchLoader;
import dev.cnnc.runtime.data.Dataset;
import dev.cnnc.runtime.data.Normalizer;
import java.util.List;

/**
 * @param loss mean cross-entropy (no label smoothing)
 * @param confusion (classes, classes): confusion[true][predicted] counts images
 */
public record Evaluation(double loss, int correct, int total, int[][] confusion) {

  public double accuracy() {
    return total == 0 ? 0 : (double) correct / total;
  }

  /** Per true class, the fraction predicted right; NaN for a class with no images. */
  public double[] perClassAccuracy() {
    double[] acc = new double[confusion.length];
    for (int c = 0; c < confusion.length; c++) {
      int n = 0;
      for (int p : confusion[c]) n += p;
      acc[c] = n == 0 ? Double.NaN : (double) confusion[c][c] / n;
    }
    return acc;
  }

  /** Evaluates {@code model} on all of {@code data}, in inference mode, in batches. */
  public static Evaluation run(Model model, Dataset data, Normalizer norm, int batch) {
    try (BatchLoader loader = BatchLoader.evaluation(data, Math.min(batch, model.maxBatch()), norm)) {
      return run(model, loader);
    }
  }

  /** Evaluates on one epoch of {@code loader} (which should be an evaluation loader). */
  public static Evaluation run(Model model, BatchLoader loader) {
    int k = model.classes();
    float[] logits = new float[loader.batchSize() * k]; // (N, classes)
    int[][] confusion = new int[k][k];
    double lossSum = 0;
    int correct = 0, total = 0;
    try (BatchLoader.Epoch epoch = loader.epoch(0)) {
      for (BatchLoader.Batch b; (b = epoch.next()) != null; ) {
        model.infer(b.x, b.n(), logits);
        for (int i = 0; i < b.n(); i++) {
          int label = b.labels[i];
          int predicted = argmax(logits, i * k, k);
          lossSum += crossEntropy(logits, i * k, k, label);
          confusion[label][predicted]++;
          if (predicted == label) correct++;
        }
        total += b.n();
      }
    }
    return new Evaluation(total == 0 ? 0 : lossSum / total, correct, total, confusion);
  }

  /** −log softmax(z)[label], computed stably in double. */
  static double crossEntropy(float[] z, int at, int k, int label) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < k; j++) max = Math.max(max, z[at + j]);
    double sum = 0;
    for (int j = 0; j < k; j++) sum += Math.exp(z[at + j] - max);
    return max + Math.log(sum) - z[at + label];
  }

  /** Index of the largest of z[at .. at + k), the first one on ties. */
  static int argmax(float[] z, int at, int k) {
    int best = 0;
    for (int j = 1; j < k; j++) {
      if (z[at + j] > z[at + best]) best = j;
    }
    return best;
  }

  /** A table for people: per-class accuracy, then the confusion matrix (rows: true class). */
  public String report(List<String> classNames) {
    StringBuilder s = new StringBuilder(String.format("accuracy %.2f%% (%d of %d), loss %.4f%n",
        100 * accuracy(), correct, total, loss));
    double[] perClass = perClassAccuracy();
    for (int c = 0; c < perClass.length; c++) {
      s.append(String.format("  %-12s %6.2f%%%n", name(classNames, c), 100 * perClass[c]));
    }
    s.append(String.format("confusion (rows: true, columns: predicted)%n%-12s", ""));
    for (int c = 0; c < confusion.length; c++) s.append(String.format(" %5.5s", name(classNames, c)));
    s.append(System.lineSeparator());
    for (int t = 0; t < confusion.length; t++) {
      s.append(String.format("%-12s", name(classNames, t)));
      for (int p = 0; p < confusion.length; p++) s.append(String.format(" %5d", confusion[t][p]));
      s.append(System.lineSeparator());
    }
    return s.toString();
  }

  private static String name(List<String> names, int c) {
    return c < names.size() ? names.get(c) : "class " + c;
  }
}
