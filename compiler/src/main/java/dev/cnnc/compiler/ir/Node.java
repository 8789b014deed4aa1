// One op of the network graph, with the nodes it reads and where the spec wrote it.
package dev.cnnc.compiler.ir;

import dev.cnnc.compiler.diag.Span;
import dev.cnnc.compiler.ops.Activation;
import dev.cnnc.compiler.ops.BatchNorm;
import dev.cnnc.compiler.ops.Op;
import dev.cnnc.compiler.ops.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * @param inputs ids of the nodes whose outputs this node reads, in argument order
 * @param epilogue an activation fused into this node's output loop (and its derivative into
 *     the backward loop), or null
 * @param fold a batch norm folded into this conv's weights for inference, or null
 * @param residual whether this node adds input 1 (a residual block's other branch) to its output,
 *     before the epilogue: a residual add fused into the conv before it (inference only)
 * @param absorbed names of the nodes fused into this one, for dumps and comments
 */
public record Node(int id, String name, Op op, List<Integer> inputs, Span span, Activation epilogue,
    Fold fold, boolean residual, List<String> absorbed) {

  /** A batch norm whose running statistics scale this conv's weights and bias at inference. */
  public record Fold(String bnName, BatchNorm bn) {}

  public Node {
    inputs = List.copyOf(inputs);
    absorbed = List.copyOf(absorbed);
  }

  public Node(int id, String name, Op op, List<Integer> inputs, Span span) {
    this(id, name, op, inputs, span, null, null, false, List.of());
  }

  public Shape output() {
    return op.output();
  }

  public Node withId(int newId, List<Integer> newInputs) {
    return new Node(newId, name, op, newInputs, span, epilogue, fold, residual, absorbed);
  }

  public Node withEpilogue(Activation act, String actName) {
    return new Node(id, name, op, inputs, span, act, fold, residual, plus(actName));
  }

  public Node withFold(Fold f) {
    return new Node(id, name, op, inputs, span, epilogue, f, residual, plus(f.bnName()));
  }

  /** This node with {@code add}, the residual add that is its only reader, fused in: it also reads {@code other}. */
  public Node withResidual(Node add, int other) {
    return new Node(id, name, op, List.of(inputs.get(0), other), span, epilogue, fold, true, plus(add.name()));
  }

  private List<String> plus(String more) {
    List<String> list = new ArrayList<>(absorbed);
    list.add(more);
    return list;
  }
}
