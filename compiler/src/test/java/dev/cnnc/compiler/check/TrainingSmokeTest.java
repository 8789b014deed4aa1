// A few hundred SGD steps of the generated SimpleCNN on a CIFAR-10 slice lower the loss: the
// generated forward, backward and the runtime's optimizer work together on real data.
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
import org.junit.jupiter.api.Test;

class TrainingSmokeTest {
  @Test
  void threeHundredStepsLowerTheLoss() {
    Path data = Nets.cifar();
    assumeTrue(data != null, "CIFAR-10 not found: set CNNC_DATA");
    Dataset train = Cifar10.loadTrain(data, 2000);
    var spec = Nets.example("seed_simple_cnn.cnn");
    int batch = 32;
    CpuNetwork net = Nets.java(Nets.graph(spec), spec, batch, 2);
    net.initialize(1);
    Optimizer sgd = OptimizerConfig.sgd(0.01, 0.9).create(net.parameters(), net.parameterData().length);
    double first = 0;
    double last = 0;
    int steps = 0;
    try (BatchLoader loader = BatchLoader.training(train, batch, Normalizer.CIFAR10, new Augment(0, false), 1)) {
      for (int epoch = 0; steps < 300; epoch++) {
        try (BatchLoader.Epoch e = loader.epoch(epoch)) {
          for (BatchLoader.Batch b = e.next(); b != null && steps < 300; b = e.next(), steps++) {
            StepResult r = net.trainStep(b.x, b.labels, b.n(), 0f, steps);
            sgd.step(net.parameterData(), net.gradientData(), 0.01);
            double mean = r.lossSum() / b.n();
            if (steps < 30) first += mean / 30;
            if (steps >= 270) last += mean / 30;
          }
        }
      }
    }
    System.out.printf("SimpleCNN on 2,000 images: mean loss %.3f over steps 1-30, %.3f over steps 271-300%n", first, last);
    assertTrue(first > 2.0, "the first steps should start near ln 10 = 2.30, got " + first);
    assertTrue(last < first - 0.3, "300 SGD steps should lower the loss by more than 0.3: " + first + " → " + last);
  }
}
