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
    Trained one = train(graph, source, 1, batch, x, labels, 3, 0f, 3);
    for (int threads = 2; threads <= 3; threads++) {
      Trained other = train(graph, source, threads, batch, x, labels, 3, 0f, 3);
      assertArrayEquals(one.params(), other.params(), "parameters after 3 steps on " + threads + " threads vs 1");
      assertArrayEquals(one.logits(), other.logits(), "logits on " + threads + " threads vs 1");
    }
  }

  /** Parameters, running statistics and inference logits after some SGD steps. */
  record Trained(float[] params, float[] buffers, float[] logits) {}

  /**
   * {@code steps} SGD steps (lr 0.05, momentum 0.9) on {@code threads} threads from initial seed
   * {@code init}, step s on the first batch − s images, then inference on all of them.
   */
  static Trained train(Graph graph, SourceFile source, int threads, int batch, float[] x, int[] labels, int steps,
      float smoothing, long init) {
    CpuNetwork net = Nets.java(graph, source, batch, threads);
    net.initialize(init);
    Optimizer sgd = OptimizerConfig.sgd(0.05, 0.9).create(net.parameters(), net.parameterData().length);
    for (int step = 0; step < steps; step++) {
      net.trainStep(x, labels, batch - step, smoothing, step);
      sgd.step(net.parameterData(), net.gradientData(), 0.05);
    }
    float[] logits = new float[batch * graph.output().output().channels()];
    net.infer(x, batch, logits);
    return new Trained(net.parameterData().clone(), net.bufferData().clone(), logits);
  }
}
