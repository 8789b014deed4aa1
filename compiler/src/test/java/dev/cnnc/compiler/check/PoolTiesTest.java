// Max pooling's ties: the first maximum in the window, in (kh, kw) order, wins, in the generated
// Java and CUDA (on the emulator) as in the reference. Ties leave every value the same, and after a ReLU (zeros tying) they
// leave every gradient the same too, so the gradient checks cannot see them; here they can.
package dev.cnnc.compiler.check;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cnnc.compiler.Pipeline;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.emit.CudaEmitter;
import dev.cnnc.compiler.ops.CudaGen.Convolutions;
import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.reference.ReferenceModel;
import dev.cnnc.runtime.Model;
import dev.cnnc.runtime.TensorSpec;
import dev.cnnc.runtime.cpu.CpuNetwork;
import dev.cnnc.runtime.cuda.CudaModel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PoolTiesTest {

  private static final int BATCH = 4;

  /**
   * conv(1, k1) with weights (1, 0) passes channel 0 to the pools: small integers, so windows tie
   * within rows, across rows and between rows and columns. Channel 1 holds distinct values, and
   * its weight's gradient, Σ dy · x₁ at each window's winner, tells which of the tied inputs won.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"pool", "pool(k3, s1, p1)", "pool(k3, s2, p1)", "pool(k2, s1, same)", "pool(k3, s2, d2, p2)",
      "pool(k4, s3, p2)"})
  void theFirstMaximumWins(String pool) {
    SourceFile source = spec(pool);
    Graph graph = Nets.graph(source);
    CpuNetwork java = Nets.java(graph, source, BATCH, 1);
    java.initialize(21);
    compare(pool, java, graph);
  }

  /** The CUDA kernels on the emulator, every window shape above in one network (one C++ build). */
  @Test
  void theFirstMaximumWinsInCuda() {
    assumeTrue(CudaEmulator.compiler() != null, "no C++ compiler on the PATH to emulate the kernels");
    String pools = "pool(k3, s1, p1) -> pool(k2, s1, same) -> pool(k3, s2, d2, p2) -> pool(k3, s1, p1) -> pool";
    SourceFile source = spec(pools);
    Graph graph = Nets.graph(source);
    CudaEmitter.Output out = CudaEmitter.emit(Pipeline.run(graph), source, Convolutions.AUTO);
    try (CudaModel cuda = new CudaModel(new CudaEmulator(CudaEmulator.build(out), out.program()), out.program(), BATCH)) {
      cuda.initialize(21);
      compare("CUDA " + pools, cuda, graph);
    }
  }

  private static SourceFile spec(String pools) {
    return new SourceFile("ties.cnn", "network Ties { input 2x9x10 conv(1, k1, nobias) -> " + pools + " -> flatten -> fc(3) }");
  }

  /** The model's parameters initialized; the reference gets the same ones. */
  private static void compare(String what, Model model, Graph graph) {
    ReferenceModel ref = new ReferenceModel(graph, BATCH);
    float[] params = model.parameterData();
    TensorSpec w = model.parameters().get(0);
    params[w.offset()] = 1;
    params[w.offset() + 1] = 0;
    System.arraycopy(params, 0, ref.parameterData(), 0, params.length);
    int plane = 9 * 10;
    float[] x = new float[BATCH * 2 * plane];
    SplittableRandom random = new SplittableRandom(5);
    for (int n = 0; n < BATCH; n++) {
      for (int i = 0; i < plane; i++) {
        x[n * 2 * plane + i] = random.nextInt(3);
        x[n * 2 * plane + plane + i] = (float) random.nextDouble(-1, 1);
      }
    }
    int[] y = Nets.labels(BATCH, 3, 6);
    model.trainStep(x, y, BATCH, 0f, 7);
    ref.trainStep(x, y, BATCH, 0f, 7);
    float got = model.gradientData()[w.offset() + 1], want = ref.gradientData()[w.offset() + 1];
    assertTrue(Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want)),
        what + ": d loss / d w₁ is " + got + ", " + want + " in the reference: another tied input won");
  }
}
