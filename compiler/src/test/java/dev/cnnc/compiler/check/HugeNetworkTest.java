// A network the checker accepts but whose generated class would pass the JVM's size limits gets a
// clear error naming the limit, not an internal error.
package dev.cnnc.compiler.check;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.runtime.CnncException;
import org.junit.jupiter.api.Test;

class HugeNetworkTest {
  @Test
  void aThousandFcLayersAreAClearError() {
    SourceFile spec = new SourceFile("deep.cnn", "network Deep { input 1x2x2 flatten -> repeat 1000 { fc(2) -> relu } }");
    CnncException e = assertThrows(CnncException.class, () -> Nets.java(Nets.graph(spec), spec, 1, 1));
    assertTrue(e.getMessage().contains("too large for the Java backend"), e.getMessage());
  }
}
