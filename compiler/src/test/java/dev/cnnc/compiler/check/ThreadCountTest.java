// Training gives the same bits on any number of threads (up to the chunk count): image-parallel
// kernels add their gradients into per-chunk partials summed in chunk order, and which thread ran
// which chunk does not matter. This is what lets a run resume on a machine with other cores.
package dev.cnnc.compiler.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.runtime.cpu.CpuNetwork;
import dev.cnnc.runtime.optim.Optimizer;
import dev.cnnc.runtime.optim.OptimizerConfig;
import org.junit.jupiter.api.Test;

class ThreadCountTest {
  /** Every kind of image-parallel gradient: im2col, shifted and phase-plane convs, bn, a shortcut, fc. */
  private static final String SPEC = """
      network Chunks {
        input 3x16x16
        conv(8, k3, p1) -> bn -> relu
          -> conv(8, k3, p1) -> relu
          -> residual(zeropad) { conv(16, k3, s2, p1) -> bn -> relu -> conv(16, k3, p1) } -> relu
          -> pool -> flatten -> fc(12) -> relu -> fc(10)
      }
      """;

  @Test
  void oneTwoAndThreeThreadsTrainToTheSameBits() {
    SourceFile source = new SourceFile("chunks.cnn", SPEC);
    Graph graph = Nets.graph(source);
    int batch = 13;
    float[] x = Nets.randomFloats(batch * 3 * 16 * 16, 5, 1.0);
    int[] labels = Nets.labels(batch, 10, 6);
    float[][] params = new float[3][];
    float[][] logits = new float[3][];
    for (int threads = 1; threads <= 3; threads++) {
      CpuNetwork net = Nets.java(graph, source, batch, threads);
      net.initialize(3);
      Optimizer sgd = OptimizerConfig.sgd(0.05, 0.9).create(net.parameters(), net.parameterData().length);
      for (int step = 0; step < 3; step++) {
        net.trainStep(x, labels, batch - step, 0f, step);
        sgd.step(net.parameterData(), net.gradientData(), 0.05);
      }
      params[threads - 1] = net.parameterData().clone();
      logits[threads - 1] = new float[batch * 10];
      net.infer(x, batch, logits[threads - 1]);
    }
    for (int i = 1; i < 3; i++) {
      assertArrayEquals(params[0], params[i], "parameters after 3 steps on " + (i + 1) + " threads vs 1");
      assertArrayEquals(logits[0], logits[i], "logits on " + (i + 1) + " threads vs 1");
    }
  }
}
