// Checks accuracy, loss, per-class accuracy and the confusion matrix against a model whose answers are known.
package dev.cnnc.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import dev.cnnc.runtime.Model;
import dev.cnnc.runtime.StepResult;
import dev.cnnc.runtime.TensorSpec;
import dev.cnnc.runtime.data.Dataset;
import dev.cnnc.runtime.data.FakeCifar;
import dev.cnnc.runtime.data.Normalizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationTest {
  /** Predicts class 3 when the image's first pixel is dark, else class 7, with logit 10 against 0. */
  static final class ThresholdModel implements Model {
    @Override
    public void infer(float[] x, int n, float[] logits) {
      java.util.Arrays.fill(logits, 0, n * 10, 0f);
      for (int i = 0; i < n; i++) logits[i * 10 + (x[i * 3072] < 0 ? 3 : 7)] = 10f;
    }

    @Override public String name() { return "Threshold"; }
    @Override public int[] inputShape() { return new int[] {3, 32, 32}; }
    @Override public int classes() { return 10; }
    @Override public int maxBatch() { return 4; }
    @Override public List<TensorSpec> parameters() { return List.of(); }
    @Override public List<TensorSpec> buffers() { return List.of(); }
    @Override public float[] parameterData() { return new float[0]; }
    @Override public float[] gradientData() { return new float[0]; }
    @Override public float[] bufferData() { return new float[0]; }
    @Override public StepResult trainStep(float[] x, int[] l, int n, float s, long seed) { throw new UnsupportedOperationException(); }
  }

  @Test
  void countsEveryImageInTheRightCell() {
    // labels 3,3,3,7,7,1 ; first pixels dark,dark,bright,bright,dark,dark → predictions 3,3,7,7,3,3
    int[] labels = {3, 3, 3, 7, 7, 1};
    int[] firstPixel = {0, 10, 250, 255, 5, 0};
    byte[] images = new byte[labels.length * Dataset.IMAGE_SIZE];
    byte[] bytes = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      images[i * Dataset.IMAGE_SIZE] = (byte) firstPixel[i];
      bytes[i] = (byte) labels[i];
    }
    Evaluation e = Evaluation.run(new ThresholdModel(), new Dataset(images, bytes, FakeCifar.NAMES),
        Normalizer.CIFAR10, 4); // batches of 4 and 2

    assertEquals(6, e.total());
    assertEquals(3, e.correct());
    assertEquals(0.5, e.accuracy());
    assertEquals(2, e.confusion()[3][3]);
    assertEquals(1, e.confusion()[3][7]);
    assertEquals(1, e.confusion()[7][7]);
    assertEquals(1, e.confusion()[7][3]);
    assertEquals(1, e.confusion()[1][3]);
    double[] perClass = e.perClassAccuracy();
    assertEquals(2.0 / 3, perClass[3], 1e-12);
    assertEquals(0.5, perClass[7], 1e-12);
    assertEquals(0.0, perClass[1]);
    assertTrue(Double.isNaN(perClass[0]), "no images of class 0");

    double right = Math.log(9 + Math.exp(10)) - 10, wrong = Math.log(9 + Math.exp(10));
    assertEquals((3 * right + 3 * wrong) / 6, e.loss(), 1e-9);
    assertTrue(e.report(FakeCifar.NAMES).contains("cat           66.67%"), e.report(FakeCifar.NAMES));
  }
}
