// An option-A shortcut with stride 1 and as many channels out as in copies its input unchanged
// (ResNet's blocks that keep their shape write `residual(zeropad)` like the ones that shrink): its
// node disappears and the add reads the block's input directly, saving a copy forward and backward.
package dev.cnnc.compiler.passes;

import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.ir.Node;
import dev.cnnc.compiler.ir.Rewrite;
import dev.cnnc.compiler.ops.ZeroPadShortcut;
import java.util.HashMap;
import java.util.Map;

public final class RemoveIdentityShortcuts {
  private RemoveIdentityShortcuts() {}

  public static Graph apply(Graph g) {
    Map<Integer, Integer> removed = new HashMap<>();
    for (Node n : g.nodes()) {
      if (n.op() instanceof ZeroPadShortcut z && z.stride() == 1 && z.input().equals(z.output())) {
        removed.put(n.id(), n.inputs().get(0));
      }
    }
    return Rewrite.apply(g, Map.of(), removed);
  }
}
