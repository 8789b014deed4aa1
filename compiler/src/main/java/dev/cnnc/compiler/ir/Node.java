// One op of the network graph, with the nodes it reads and where the spec wrote it.
package dev.cnnc.compiler.ir;

import dev.cnnc.compiler.diag.Span;
import dev.cnnc.compiler.ops.Op;
import dev.cnnc.compiler.ops.Shape;
import java.util.List;

/** @param inputs ids of the nodes whose outputs this node reads, in argument order */
public record Node(int id, String name, Op op, List<Integer> inputs, Span span) {
  public Node {
    inputs = List.copyOf(inputs);
  }

  public Shape output() {
    return op.output();
  }

  public Node withOp(Op replacement) {
    return new Node(id, name, replacement, inputs, span);
  }
}
