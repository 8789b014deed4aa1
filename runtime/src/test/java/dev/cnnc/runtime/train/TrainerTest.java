// End-to-end checks of the training loop with a small linear model on a CIFAR-10 slice.
package dev.cnnc.runtime.train;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cnnc.runtime.CnncException;
import dev.cnnc.runtime.TestData;
import dev.cnnc.runtime.data.Cifar10;
import dev.cnnc.runtime.data.Dataset;
import dev.cnnc.runtime.io.SafeTensors;
import dev.cnnc.runtime.io.StorageException;
import dev.cnnc.runtime.optim.OptimizerConfig;
import dev.cnnc.runtime.optim.Schedule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  static final int TRAIN = 2000, TEST = 1000, BATCH = 64;
  static final int STEPS_PER_EPOCH = (TRAIN + BATCH - 1) / BATCH; // 32, the last one short
  private static Dataset train, test;

  @TempDir Path tmp;

  static synchronized Dataset train() {
    if (train == null) train = Cifar10.loadTrain(TestData.cifar10(), TRAIN);
    return train;
  }

  static synchronized Dataset test() {
    if (test == null) test = Cifar10.loadTest(TestData.cifar10(), TEST);
    return test;
  }

  TrainConfig config(String out) {
    return TrainConfig.defaults().withEpochs(2).withBatch(BATCH).withSeed(5).withOut(tmp.resolve(out));
  }

  /** The GPU check's trimmed runtime has no xchart: the warning says so in words, not as a class name. */
  @Test
  void aPlotThatCannotBeDrawnIsExplainedInWords() {
    assertEquals("warning: curves.png not drawn: the plotting library (org.knowm.xchart) is not on the class path;"
        + " metrics.jsonl has the same figures", Trainer.curvesWarning(new NoClassDefFoundError("org/knowm/xchart/XYChartBuilder")));
    assertEquals("warning: curves.png not drawn: no fonts; metrics.jsonl has the same figures",
        Trainer.curvesWarning(new InternalError("no fonts")));
  }

  @Test
  void learnsAndWritesEveryOutput() throws IOException {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    LinearModel model = new LinearModel(BATCH, 1);
    TrainResult r = new Trainer(config("run"), new PrintStream(log, true)).train(model, train(), test());

    List<EpochMetrics> h = r.history();
    assertEquals(2, h.size());
    assertTrue(h.get(1).trainLoss() < h.get(0).trainLoss(), "training loss goes down: " + h);
    assertTrue(r.testAcc() > 0.28, "measured 32.8%; chance is 10%: " + r.testAcc());
    assertEquals(h.get(1).testAcc(), Evaluation.run(model, test(), dev.cnnc.runtime.data.Normalizer.CIFAR10, 100).accuracy(), 1e-12);

    JsonObject json = JsonParser.parseString(r.toJsonLine()).getAsJsonObject();
    for (String key : List.of("test_acc", "train_images_per_s", "epochs", "seconds")) assertTrue(json.has(key), key);
    assertEquals(2, json.get("epochs").getAsInt());

    List<String> lines = Files.readAllLines(tmp.resolve("run/metrics.jsonl"));
    assertEquals(2, lines.size());
    JsonObject line = JsonParser.parseString(lines.get(1)).getAsJsonObject();
    for (String key : List.of("epoch", "train_loss", "train_acc", "test_loss", "test_acc", "lr", "images_per_s", "seconds")) {
      assertTrue(line.has(key), key + " in " + lines.get(1));
    }
    assertEquals(r.testAcc(), line.get("test_acc").getAsDouble());

    SafeTensors.Contents weights = SafeTensors.read(tmp.resolve("run/weights.safetensors"));
    assertEquals(List.of("fc.weight", "fc.bias", "pool.running_mean"),
        weights.tensors().stream().map(SafeTensors.Tensor::name).toList());
    assertArrayEquals(model.bufferData(), weights.find("pool.running_mean").orElseThrow().values());
    assertArrayEquals(model.parameterData(), concat(weights.tensors().get(0).values(), weights.tensors().get(1).values()));

    var png = ImageIO.read(tmp.resolve("run/curves.png").toFile());
    assertNotNull(png, "curves.png is a readable image");
    assertTrue(png.getWidth() > 500 && png.getHeight() > 300);

    String printed = log.toString();
    assertTrue(printed.contains("img/s") && printed.contains("epoch 2/2"), printed);
    assertFalse(printed.contains("\r"), "no terminal redraws when the console is not a terminal");
  }

  @Test
  void resumeAfterACrashEndsWithTheSameBitsAsAnUninterruptedRun() throws IOException {
    TrainConfig c = config("straight").withSchedule(Schedule.cosine().withWarmUp(0.5))
        .withOptimizer(OptimizerConfig.sgd(0.02, 0.9).withNesterov(true).withWeightDecay(5e-4))
        .withAugment(4, true).withLabelSmoothing(0.1);
    LinearModel straight = new LinearModel(BATCH, 1);
    new Trainer(c, null).train(straight, train(), test());

    TrainConfig broken = c.withOut(tmp.resolve("broken"));
    FaultyModel crashing = new FaultyModel(new LinearModel(BATCH, 1), STEPS_PER_EPOCH + 7, FaultyModel.Fault.CRASH);
    assertThrows(IllegalStateException.class, () -> new Trainer(broken, null).train(crashing, train(), test()));
    LinearModel resumed = new LinearModel(BATCH, 99); // a different init: weights must come from disk
    TrainResult r = new Trainer(broken.withResume(true), null).train(resumed, train(), test());

    assertEquals(2, r.epochs());
    assertEquals(2, r.history().size());
    assertArrayEquals(straight.parameterData(), resumed.parameterData());
    assertArrayEquals(straight.bufferData(), resumed.bufferData());
    assertArrayEquals(Files.readAllBytes(tmp.resolve("straight/weights.safetensors")),
        Files.readAllBytes(tmp.resolve("broken/weights.safetensors")));
  }

  @Test
  void oneEpochThenResumeToTwoEqualsTwoEpochs() throws IOException {
    TrainConfig c = config("two").withOptimizer(OptimizerConfig.adamW(1e-3, 0.05)).withAugment(2, true);
    LinearModel straight = new LinearModel(BATCH, 1);
    new Trainer(c, null).train(straight, train(), test());

    TrainConfig split = c.withOut(tmp.resolve("split"));
    new Trainer(split.withEpochs(1), null).train(new LinearModel(BATCH, 1), train(), test());
    LinearModel resumed = new LinearModel(BATCH, 1);
    TrainResult r = new Trainer(split.withResume(true), null).train(resumed, train(), test());

    assertArrayEquals(straight.parameterData(), resumed.parameterData());
    assertEquals(2, Files.readAllLines(tmp.resolve("split/metrics.jsonl")).size());
    assertEquals(r.testAcc(), Files.readAllLines(tmp.resolve("two/metrics.jsonl")).stream()
        .map(l -> JsonParser.parseString(l).getAsJsonObject().get("test_acc").getAsDouble()).toList().get(1));
  }

  @Test
  void aNanLossStopsTheRunAndKeepsTheLastGoodCheckpoint() throws IOException {
    TrainConfig c = config("nan");
    FaultyModel model = new FaultyModel(new LinearModel(BATCH, 1), STEPS_PER_EPOCH + 3, FaultyModel.Fault.NAN);
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
        () -> new Trainer(c, null).train(model, train(), test()));
    assertEquals(2, e.epoch());
    assertEquals(4, e.step());
    assertTrue(e.getMessage().contains("NaN at epoch 2, step 4 of 32"), e.getMessage());
    assertTrue(e.getMessage().contains("checkpoint of epoch 1"), e.getMessage());

    LinearModel oneEpoch = new LinearModel(BATCH, 1);
    new Trainer(c.withEpochs(1).withOut(tmp.resolve("one")), null).train(oneEpoch, train(), test());
    assertArrayEquals(Files.readAllBytes(tmp.resolve("one/weights.safetensors")),
        Files.readAllBytes(tmp.resolve("nan/weights.safetensors")), "epoch-1 weights intact");
    assertEquals(1, Files.readAllLines(tmp.resolve("nan/metrics.jsonl")).size());
  }

  @Test
  void anUnwritableOutputFolderFailsBeforeTraining() throws IOException {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    FaultyModel model = new FaultyModel(new LinearModel(BATCH, 1), -1, FaultyModel.Fault.NAN);
    Dataset tiny = tiny();
    StorageException e = assertThrows(StorageException.class,
        () -> new Trainer(config("x").withOut(file.resolve("run")), null).train(model, tiny, tiny));
    assertTrue(e.getMessage().contains(file.resolve("run").toString()), e.getMessage());
    assertEquals(0, model.calls, "no step was spent");
  }

  @Test
  void resumeNeedsAStateAndTheSameSeed() {
    Dataset tiny = tiny();
    TrainConfig c = config("r").withEpochs(1).withBatch(8);
    CnncException none = assertThrows(CnncException.class,
        () -> new Trainer(c.withResume(true), null).train(new LinearModel(8, 1), tiny, tiny));
    assertTrue(none.getMessage().contains("Nothing to resume"), none.getMessage());
    new Trainer(c, null).train(new LinearModel(8, 1), tiny, tiny);
    CnncException seed = assertThrows(CnncException.class,
        () -> new Trainer(c.withEpochs(2).withSeed(6).withResume(true), null).train(new LinearModel(8, 1), tiny, tiny));
    assertTrue(seed.getMessage().contains("seed 5") && seed.getMessage().contains("seed 6"), seed.getMessage());
  }

  @Test
  void aBatchLargerThanTheModelAllowsIsRejected() {
    Dataset tiny = tiny();
    CnncException e = assertThrows(CnncException.class,
        () -> new Trainer(config("b"), null).train(new LinearModel(8, 1), tiny, tiny));
    assertTrue(e.getMessage().contains("Batch 64 is larger than Linear was built for (8)"), e.getMessage());
  }

  @Test
  void aModelThatCannotTrainOnOneImageNeverGetsABatchOfOne() {
    Dataset tiny = tiny();
    List<Integer> batches = new java.util.ArrayList<>();
    LinearModel model = new LinearModel(8, 1) {
      @Override
      public List<String> oneValueBatchNorms() {
        return List.of("bn_0 at 4:28 (32 features)");
      }

      @Override
      public dev.cnnc.runtime.StepResult trainStep(float[] x, int[] l, int n, float s, long seed) {
        batches.add(n);
        return super.trainStep(x, l, n, s, seed);
      }
    };
    CnncException one = assertThrows(CnncException.class,
        () -> new Trainer(config("b1").withBatch(1), null).train(model, tiny, tiny));
    assertEquals("A batch of one image cannot train Linear: its batch norm bn_0 at 4:28 (32 features) sees one value"
        + " per channel of an image, and one image's value has no variance to normalise by (PyTorch refuses this"
        + " too). Use --batch 2 or more.", one.getMessage());
    CnncException data = assertThrows(CnncException.class,
        () -> new Trainer(config("d1").withBatch(8), null).train(model, subset(tiny, 1), tiny));
    assertTrue(data.getMessage().startsWith("One training image cannot train Linear"), data.getMessage());
    assertTrue(batches.isEmpty(), "refused before any step");

    new Trainer(config("b3").withEpochs(1).withBatch(3), null).train(model, subset(tiny, 19), tiny);
    assertEquals(List.of(3, 3, 3, 3, 3, 2, 2), batches, "19 images: the last batch borrows one");
    batches.clear();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    new Trainer(config("b2").withEpochs(1).withBatch(2), new PrintStream(log, true)).train(model, subset(tiny, 19), tiny);
    assertEquals(9, batches.size(), "19 images at batch 2: the last one is left out");
    assertTrue(log.toString().contains("note: each epoch leaves out its last image"), log.toString());
  }

  static Dataset subset(Dataset d, int n) {
    return new Dataset(java.util.Arrays.copyOf(d.images(), n * Dataset.IMAGE_SIZE),
        java.util.Arrays.copyOf(d.labels(), n), d.classNames());
  }

  @Test
  void trainingFromADataFolderHonoursBothLimits() throws IOException {
    Path dir = dev.cnnc.runtime.data.FakeCifar.write(tmp.resolve("data"), 3); // 15 train, 3 test images
    TrainConfig c = config("fake").withEpochs(1).withBatch(4).withLimit(7).withTestLimit(2);
    int[] seen = new int[1];
    LinearModel model = new LinearModel(4, 1) {
      @Override
      public dev.cnnc.runtime.StepResult trainStep(float[] x, int[] l, int n, float s, long seed) {
        seen[0] += n;
        return super.trainStep(x, l, n, s, seed);
      }
    };
    TrainResult r = new Trainer(c, null).train(model, dir);
    assertEquals(7, seen[0], "training images seen in one epoch");
    double acc = r.testAcc() * 2;
    assertEquals(Math.rint(acc), acc, 1e-9, "test accuracy is a multiple of 1/2: two test images");
  }

  /** 20 random images, enough for the checks that do not need real data. */
  static Dataset tiny() {
    byte[] images = new byte[20 * Dataset.IMAGE_SIZE];
    byte[] labels = new byte[20];
    new java.util.Random(1).nextBytes(images);
    for (int i = 0; i < 20; i++) labels[i] = (byte) (i % 10);
    return new Dataset(images, labels, dev.cnnc.runtime.data.FakeCifar.NAMES);
  }

  static float[] concat(float[] a, float[] b) {
    float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /** Stands in for the CUDA model: its own optimizer (here the CPU one, counted) must be the one used. */
  static final class DeviceLinearModel extends LinearModel implements dev.cnnc.runtime.DeviceModel {
    int created;
    long steps;

    DeviceLinearModel(int maxBatch, long initSeed) {
      super(maxBatch, initSeed);
    }

    @Override
    public dev.cnnc.runtime.optim.Optimizer createOptimizer(OptimizerConfig config) {
      created++;
      dev.cnnc.runtime.optim.Optimizer cpu = config.create(parameters(), params.length);
      return new dev.cnnc.runtime.optim.Optimizer() {
        public void step(float[] p, float[] g, double lr) {
          steps++;
          cpu.step(params, grads, lr);
        }

        public long steps() {
          return cpu.steps();
        }

        public java.util.Map<String, float[]> exportState() {
          return cpu.exportState();
        }

        public void importState(java.util.Map<String, float[]> state) {
          cpu.importState(state);
        }
      };
    }
  }

  @Test
  void aDeviceModelRunsItsOwnOptimizerAndEndsWithTheSameBits() {
    TrainConfig c = config("host").withOptimizer(OptimizerConfig.sgd(0.02, 0.9).withNesterov(true));
    LinearModel host = new LinearModel(BATCH, 1);
    new Trainer(c, null).train(host, train(), test());
    DeviceLinearModel device = new DeviceLinearModel(BATCH, 1);
    new Trainer(c.withOut(tmp.resolve("device")), null).train(device, train(), test());

    assertEquals(1, device.created);
    assertEquals(2L * STEPS_PER_EPOCH, device.steps);
    assertArrayEquals(host.parameterData(), device.parameterData());
  }
}
