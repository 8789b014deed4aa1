// Inference passes values through dropout unchanged, so its nodes disappear from inference code.
package dev.cnnc.compiler.passes;

import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.ir.Node;
import dev.cnnc.compiler.ir.Rewrite;
import dev.cnnc.compiler.ops.Dropout;
import java.util.HashMap;
import java.util.Map;

public final class RemoveDropout {
  private RemoveDropout() {}

  public static Graph apply(Graph g) {
    Map<Integer, Integer> removed = new HashMap<>();
    for (Node n : g.nodes()) {
      if (n.op() instanceof Dropout) removed.put(n.id(), n.inputs().get(0));
    }
    return Rewrite.apply(g, Map.of(), removed);
  }
}
