// Trains the network that cnnc:generate made from src/main/cnn/simple_cnn.cnn, on synthetic
// CIFAR-shaped data (no download), and checks that training really lowers the loss.
package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnnc.runtime.StepResult;
import dev.cnnc.runtime.data.Dataset;
import dev.cnnc.runtime.data.Normalizer;
import dev.cnnc.runtime.optim.Optimizer;
import dev.cnnc.runtime.optim.OptimizerConfig;
import dev.cnnc.runtime.train.EpochMetrics;
import dev.cnnc.runtime.train.TrainConfig;
import dev.cnnc.runtime.train.TrainResult;
import dev.cnnc.runtime.train.Trainer;
import example.nets.SimpleCNN;
import example.nets.SimpleCNNTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainGeneratedNetworkTest {
  private static final int CLASSES = 10;

  /** Noise, plus for class k a bright band over rows 3k to 3k+2: easy to learn, but only by training. */
  static Dataset synthetic(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] images = new byte[n * Dataset.IMAGE_SIZE];
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) {
      int label = random.nextInt(CLASSES);
      labels[i] = (byte) label;
      for (int c = 0; c < Dataset.CHANNELS; c++) {
        for (int y = 0; y < Dataset.HEIGHT; y++) {
          for (int x = 0; x < Dataset.WIDTH; x++) {
            int band = y / 3 == label ? 150 : 0;
            images[((i * Dataset.CHANNELS + c) * Dataset.HEIGHT + y) * Dataset.WIDTH + x] =
                (byte) (random.nextInt(100) + band);
          }
        }
      }
    }
    List<String> names = new ArrayList<>();
    for (int k = 0; k < CLASSES; k++) names.add("band" + k);
    return new Dataset(images, labels, names);
  }

  @Test
  void aFewOptimizerStepsLowerTheLoss() {
    int n = 16;
    Dataset data = synthetic(n, 1);
    float[] x = new float[n * Dataset.IMAGE_SIZE]; // (N, C, H, W)
    for (int i = 0; i < n; i++) Normalizer.CIFAR10.normalize(data.images(), i, x, i * Dataset.IMAGE_SIZE);
    int[] labels = data.labelsAsInt();

    SimpleCNN net = new SimpleCNN(n, 1);
    net.initialize(0);
    Optimizer sgd = OptimizerConfig.sgd(0.02, 0.9).create(net.parameters(), net.parameterData().length);
    double first = Double.NaN;
    double last = Double.NaN;
    for (int step = 0; step < 15; step++) {
      StepResult r = net.trainStep(x, labels, n, 0f, step);
      last = r.lossSum() / n;
      if (step == 0) first = last;
      sgd.step(net.parameterData(), net.gradientData(), 0.02);
    }
    assertTrue(last < 0.5 * first, "mean loss went from " + first + " to " + last + " in 15 steps");
  }

  @Test
  void theGeneratedTrainerRunsTheRuntimesTrainingLoop(@TempDir Path out) {
    TrainConfig config = SimpleCNNTrainer.config()
        .withEpochs(2).withBatch(32).withAugment(0, false).withThreads(2).withOut(out);
    assertEquals(0.01, config.optimizer().lr(), "the spec's train section sets sgd(lr: 0.01, momentum: 0.9)");
    TrainResult result = new Trainer(config, null)
        .train(SimpleCNNTrainer.network(config), synthetic(128, 2), synthetic(32, 3));
    List<EpochMetrics> epochs = result.history();
    assertEquals(2, epochs.size());
    assertTrue(epochs.get(1).trainLoss() < epochs.get(0).trainLoss(), "train loss per epoch: "
        + epochs.stream().map(EpochMetrics::trainLoss).toList());
    assertTrue(Files.isRegularFile(out.resolve("weights.safetensors")));
  }
}
