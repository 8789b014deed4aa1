// For inference, a batch norm right after a conv or fc folds into its weights:
// w' = w·γ/√(var + eps), b' = (b − mean)·γ/√(var + eps) + β, computed from the running statistics.
package dev.cnnc.compiler.passes;

import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.ir.Node;
import dev.cnnc.compiler.ir.Rewrite;
import dev.cnnc.compiler.ops.BatchNorm;
import dev.cnnc.compiler.ops.Conv;
import dev.cnnc.compiler.ops.Fc;
import java.util.HashMap;
import java.util.Map;

public final class FoldBatchNorm {
  private FoldBatchNorm() {}

  /** Folds when the batch norm is the producer's only reader and the producer has no epilogue yet. */
  public static Graph apply(Graph g) {
    Map<Integer, Node> replaced = new HashMap<>();
    Map<Integer, Integer> removed = new HashMap<>();
    for (Node n : g.nodes()) {
      if (!(n.op() instanceof BatchNorm bn)) continue;
      Node producer = g.node(n.inputs().get(0));
      boolean foldable = producer.op() instanceof Conv || producer.op() instanceof Fc;
      if (!foldable || producer.epilogue() != null || producer.fold() != null) continue;
      if (g.consumers(producer.id()).size() != 1) continue;
      Node folded = producer.withFold(new Node.Fold(n.name(), bn));
      if (n.epilogue() != null) folded = folded.withEpilogue(n.epilogue(), n.absorbed().get(0));
      replaced.put(producer.id(), folded);
      removed.put(n.id(), producer.id());
    }
    return Rewrite.apply(g, replaced, removed);
  }
}
