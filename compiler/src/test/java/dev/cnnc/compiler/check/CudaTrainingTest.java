// The CUDA model trained as the command line trains it, on the CPU emulator: the GPU optimizers
// against the runtime's CPU optimizers bit for bit, and the training loop with checkpoints and
// resume. Skipped where no C++ compiler is installed.
package dev.cnnc.compiler.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.emit.CudaEmitter;
import dev.cnnc.runtime.cuda.CudaModel;
import dev.cnnc.runtime.cuda.CudaSpeed;
import dev.cnnc.runtime.data.Dataset;
import dev.cnnc.runtime.optim.Optimizer;
import dev.cnnc.runtime.optim.OptimizerConfig;
import dev.cnnc.runtime.train.TrainConfig;
import dev.cnnc.runtime.train.TrainResult;
import dev.cnnc.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CudaTrainingTest {
  static SourceFile lenet;
  static CudaEmitter.Output out;
  static Path emulator;

  @TempDir Path tmp;

  @BeforeAll
  static void build() {
    assumeTrue(CudaEmulator.compiler() != null, "no C++ compiler on the PATH to emulate the kernels");
    lenet = Nets.example("lenet5.cnn");
    out = CudaKernelsTest.emit(lenet);
    emulator = CudaEmulator.build(out);
  }

  static CudaModel model(int maxBatch) {
    return new CudaModel(new CudaEmulator(emulator, out.program()), out.program(), maxBatch);
  }

  static List<OptimizerConfig> optimizers() {
    return List.of(OptimizerConfig.sgd(0.05, 0), OptimizerConfig.sgd(0.05, 0).withWeightDecay(1e-2),
        OptimizerConfig.sgd(0.05, 0.9).withNesterov(true).withWeightDecay(5e-4),
        OptimizerConfig.sgd(0.05, 0.9).withDampening(0.3).withWeightDecay(5e-4),
        OptimizerConfig.adam(1e-3).withWeightDecay(1e-2), OptimizerConfig.adamW(1e-3, 0.05).withBetas(0.8, 0.95));
  }

  /** What `cnnc bench --backend cuda` and the device check time: real training steps with SGD, and inference. */
  @Test
  void theSpeedMeasurementTrainsWithSgdAndReportsRates() {
    try (CudaModel m = model(4)) {
      CudaSpeed speed = new CudaSpeed(m, 4);
      float[] initial = m.parameterData().clone();
      double train = speed.train(2);
      assertTrue(train > 0 && Double.isFinite(train), "images/s " + train);
      float[] trained = m.parameterData().clone();
      assertFalse(java.util.Arrays.equals(initial, trained), "two SGD steps moved no parameter");
      double infer = new CudaSpeed(m, 3).infer(2);
      assertTrue(infer > 0 && Double.isFinite(infer), "images/s " + infer);
      assertArrayEquals(initial, m.parameterData(), "each measurement starts from the same parameters (seed 1)");
      assertEquals(100, speed.stepsFor(1.0, 400), "4 images a step at 400 images/s: 100 steps a second");
      assertEquals(3, speed.stepsFor(1e-6, 400), "at least 3");
      assertThrows(IllegalArgumentException.class, () -> new CudaSpeed(m, 5));
    }
    assertEquals(2, CudaSpeed.median(new double[] {3, 1, 2}));
    assertEquals(2.5, CudaSpeed.median(new double[] {4, 1, 3, 2}));
  }

  @ParameterizedTest
  @MethodSource("optimizers")
  void theGpuOptimizerUpdatesExactlyAsTheCpuOneAndExportsTheSameState(OptimizerConfig config) {
    try (CudaModel m = model(4)) {
      m.initialize(5);
      Optimizer cpu = config.create(m.parameters(), m.parameterData().length);
      float[] expected = m.parameterData().clone();
      Optimizer gpu = m.createOptimizer(config);
      float[] x = Nets.randomFloats(4 * 3072, 8, 1.0);
      int[] labels = Nets.labels(4, 10, 9);
      for (int step = 0; step < 3; step++) {
        m.trainStep(x, labels, 4, 0f, step);
        cpu.step(expected, m.gradientData().clone(), 0.05 * (step + 1));
        gpu.step(null, null, 0.05 * (step + 1));
        assertArrayEquals(expected, m.parameterData(), "step " + step);
      }
      Map<String, float[]> a = cpu.exportState();
      Map<String, float[]> b = gpu.exportState();
      assertEquals(a.keySet(), b.keySet());
      for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), k);

      // Restored state continues exactly: a fresh GPU optimizer fed the CPU state takes the same next step.
      Optimizer restored = m.createOptimizer(config);
      restored.importState(a);
      m.trainStep(x, labels, 4, 0f, 7);
      cpu.step(expected, m.gradientData().clone(), 0.01);
      restored.step(null, null, 0.01);
      assertArrayEquals(expected, m.parameterData());
    }
  }

  @Test
  void theTrainingLoopResumesToTheSameBitsAndLearns() {
    Dataset train = synthetic(96, 1);
    Dataset test = synthetic(32, 2);
    TrainConfig c = TrainConfig.defaults().withEpochs(2).withBatch(16).withSeed(3)
        .withOptimizer(OptimizerConfig.sgd(0.05, 0.9).withWeightDecay(5e-4)).withAugment(2, true)
        .withOut(tmp.resolve("straight"));
    float[] straight;
    TrainResult r;
    try (CudaModel m = model(16)) {
      m.initialize(1);
      r = new Trainer(c, null).train(m, train, test);
      straight = m.parameterData().clone();
    }
    assertTrue(r.history().get(1).trainLoss() < r.history().get(0).trainLoss(), "the loss goes down: " + r.history());

    TrainConfig split = c.withOut(tmp.resolve("split"));
    try (CudaModel m = model(16)) {
      m.initialize(1);
      new Trainer(split.withEpochs(1), null).train(m, train, test);
    }
    try (CudaModel m = model(16)) {
      m.initialize(99); // the weights must come from the checkpoint
      new Trainer(split.withResume(true), null).train(m, train, test);
      assertArrayEquals(straight, m.parameterData());
    }
  }

  /** Images whose class is written into their mean brightness, so a few steps learn something. */
  static Dataset synthetic(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] images = new byte[n * Dataset.IMAGE_SIZE];
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) {
      labels[i] = (byte) r.nextInt(10);
      for (int j = 0; j < Dataset.IMAGE_SIZE; j++) {
        images[i * Dataset.IMAGE_SIZE + j] = (byte) Math.min(255, labels[i] * 25 + r.nextInt(40));
      }
    }
    return new Dataset(images, labels, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
  }
}
