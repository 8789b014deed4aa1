// Max pooling's ties: the first maximum in the window, in (kh, kw) order, wins, in the generated
// Java as in the reference. Ties leave every value the same, and after a ReLU (zeros tying) they
// leave every gradient the same too, so the gradient checks cannot see them; here they can.
package dev.cnnc.compiler.check;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.reference.ReferenceModel;
import dev.cnnc.runtime.TensorSpec;
import dev.cnnc.runtime.cpu.CpuNetwork;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PoolTiesTest {

  /**
   * conv(1, k1) with weights (1, 0) passes channel 0 to the pool: small integers, so windows tie
   * within rows, across rows and between rows and columns. Channel 1 holds distinct values, and
   * its weight's gradient, Σ dy · x₁ at each window's winner, tells which of the tied inputs won.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"pool", "pool(k3, s1, p1)", "pool(k3, s2, p1)", "pool(k2, s1, same)", "pool(k3, s2, d2, p2)",
      "pool(k4, s3, p2)"})
  void theFirstMaximumWins(String pool) {
    int batch = 4;
    SourceFile source = new SourceFile("ties.cnn",
        "network Ties { input 2x9x10 conv(1, k1, nobias) -> " + pool + " -> flatten -> fc(3) }");
    Graph graph = Nets.graph(source);
    CpuNetwork net = Nets.java(graph, source, batch, 1);
    ReferenceModel ref = new ReferenceModel(graph, batch);
    net.initialize(21);
    ref.initialize(21);
    float[] params = net.parameterData();
    TensorSpec w = net.parameters().get(0);
    params[w.offset()] = 1;
    params[w.offset() + 1] = 0;
    System.arraycopy(params, 0, ref.parameterData(), 0, params.length);
    int plane = 9 * 10;
    float[] x = new float[batch * 2 * plane];
    SplittableRandom random = new SplittableRandom(5);
    for (int n = 0; n < batch; n++) {
      for (int i = 0; i < plane; i++) {
        x[n * 2 * plane + i] = random.nextInt(3);
        x[n * 2 * plane + plane + i] = (float) random.nextDouble(-1, 1);
      }
    }
    int[] y = Nets.labels(batch, 3, 6);
    net.trainStep(x, y, batch, 0f, 7);
    ref.trainStep(x, y, batch, 0f, 7);
    float javaGrad = net.gradientData()[w.offset() + 1], refGrad = ref.gradientData()[w.offset() + 1];
    assertTrue(Math.abs(javaGrad - refGrad) <= 1e-5 * Math.max(1, Math.abs(refGrad)),
        pool + ": d loss / d w₁ is " + javaGrad + " in Java, " + refGrad + " in the reference: another tied input won");
  }
}
