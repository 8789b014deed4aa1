// Which biases the gradient checks measure against their layer's weight gradient: exactly those
// whose true gradient is 0 because only a batch norm reads their layer's output.
package dev.cnnc.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cnnc.compiler.diag.SourceFile;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BiasesUnderBatchNormTest {
  @Test
  void onlyABiasWhoseOutputOnlyABatchNormReadsHasAZeroGradient() {
    SourceFile s = new SourceFile("zero.cnn", """
        network Zero {
          input 3x8x8
          a: conv(3, 4, k3, p1) -> bn -> relu
          -> b: conv(4, k3, p1) -> relu -> bn
          -> c: conv(4, k3, p1, nobias) -> bn
          -> d: conv(4, k3, p1) -> pool
          -> flatten
          -> e: fc(64, 8) -> bn
          -> f: fc(10)
        }
        """);
    assertEquals(Map.of("a.bias", "a.weight", "e.bias", "e.weight"), Nets.biasesUnderBatchNorm(Nets.graph(s)));
  }
}
