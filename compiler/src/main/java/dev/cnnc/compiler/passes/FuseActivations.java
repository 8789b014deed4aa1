// Fuses an activation into the op that produces its input (conv, fc, batch norm, residual add):
// the producer applies it in its output loop and its derivative in its backward loop, so the
// activation costs no pass over memory of its own.
package dev.cnnc.compiler.passes;

import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.ir.Node;
import dev.cnnc.compiler.ir.Rewrite;
import dev.cnnc.compiler.ops.Activation;
import java.util.HashMap;
import java.util.Map;

public final class FuseActivations {
  private FuseActivations() {}

  /**
   * Fuses when the producer accepts an epilogue and has none, the activation is its only reader,
   * and the activation's derivative follows from its output (gelu's does not).
   */
  public static Graph apply(Graph g) {
    Map<Integer, Node> replaced = new HashMap<>();
    Map<Integer, Integer> removed = new HashMap<>();
    for (Node n : g.nodes()) {
      if (!(n.op() instanceof Activation act) || !act.fusable()) continue;
      Node producer = replaced.getOrDefault(n.inputs().get(0), g.node(n.inputs().get(0)));
      if (!producer.op().acceptsEpilogue() || producer.epilogue() != null) continue;
      if (g.consumers(producer.id()).size() != 1) continue;
      replaced.put(producer.id(), producer.withEpilogue(act, n.name()));
      removed.put(n.id(), producer.id());
    }
    return Rewrite.apply(g, replaced, removed);
  }
}
