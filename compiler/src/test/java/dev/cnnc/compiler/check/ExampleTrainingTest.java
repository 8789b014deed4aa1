// Every example network learns: its generated code, the runtime's optimizer and batch norm's
// running statistics together memorise one small batch of real images, as any working network does.
package dev.cnnc.compiler.check;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cnnc.runtime.StepResult;
import dev.cnnc.runtime.cpu.CpuNetwork;
import dev.cnnc.runtime.data.Augment;
import dev.cnnc.runtime.data.BatchLoader;
import dev.cnnc.runtime.data.Cifar10;
import dev.cnnc.runtime.data.Dataset;
import dev.cnnc.runtime.data.Normalizer;
import dev.cnnc.runtime.optim.Optimizer;
import dev.cnnc.runtime.optim.OptimizerConfig;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ExampleTrainingTest {
  /**
   * Every example but ResNet-56, which fits the batch too (loss under 0.001 by step 100) but takes
   * 37 s here and has no op ResNet-20 lacks. (VGG-11 took 179 s until its 2×2-map convs stopped
   * running 4-column products on the GEMM's scalar tail at this batch size.)
   */
  static Stream<String> quickExamples() {
    return ExampleGradientTest.examples().filter(f -> !f.equals("resnet56.cnn"));
  }

  static final int IMAGES = 16;

  static final int STEPS = 100;

  /**
   * {@value #STEPS} SGD steps (lr 0.01, momentum 0.9) on the same {@value #IMAGES} CIFAR-10 images
   * take the loss from about ln 10 to under 0.5: a network whose backward, update or buffer reuse
   * were broken would not fit even one batch. (In 40 steps every example but LeNet-5 is under 0.005;
   * LeNet-5, with no batch norm, is at 1.9 there and near 0 by step 100.)
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("quickExamples")
  void fitsOneBatch(String file) {
    Path data = Nets.cifar();
    assumeTrue(data != null, "CIFAR-10 not found: set CNNC_DATA");
    Dataset train = Cifar10.loadTrain(data, IMAGES);
    float[] x;
    int[] labels;
    try (BatchLoader loader = BatchLoader.training(train, IMAGES, Normalizer.CIFAR10, new Augment(0, false), 1);
        BatchLoader.Epoch e = loader.epoch(0)) {
      BatchLoader.Batch b = e.next();
      x = b.x.clone();
      labels = b.labels.clone();
    }
    var spec = Nets.example(file);
    CpuNetwork net = Nets.java(Nets.graph(spec), spec, IMAGES, 2);
    net.initialize(1);
    Optimizer sgd = OptimizerConfig.sgd(0.01, 0.9).create(net.parameters(), net.parameterData().length);
    double first = 0, last = 0;
    for (int step = 0; step < STEPS; step++) {
      StepResult r = net.trainStep(x, labels, IMAGES, 0f, step);
      sgd.step(net.parameterData(), net.gradientData(), 0.01);
      if (step == 0) first = r.lossSum() / IMAGES;
      last = r.lossSum() / IMAGES;
    }
    System.out.printf("%s on %d images: loss %.3f at the first step, %.3f at step %d%n", file, IMAGES, first, last, STEPS);
    assertTrue(first > 1.5, file + ": the first step should start near ln 10 = 2.30, got " + first);
    assertTrue(last < 0.5, file + ": " + STEPS + " steps on one batch should take its loss under 0.5: " + first + " → " + last);
  }
}
