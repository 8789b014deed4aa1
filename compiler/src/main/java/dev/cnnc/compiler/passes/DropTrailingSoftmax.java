// A softmax that ends the network is folded into the loss: training uses softmax cross-entropy on
// the logits, and inference reports logits (their argmax is the same; `predict` applies softmax).
package dev.cnnc.compiler.passes;

import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.ir.Node;
import dev.cnnc.compiler.ir.Rewrite;
import dev.cnnc.compiler.ops.Softmax;
import java.util.Map;

public final class DropTrailingSoftmax {
  private DropTrailingSoftmax() {}

  public static Graph apply(Graph g) {
    Node last = g.output();
    if (!(last.op() instanceof Softmax) || g.nodes().size() < 3) return g;
    return Rewrite.apply(g, Map.of(), Map.of(last.id(), last.inputs().get(0)));
  }
}
