// The network as a graph of ops with static shapes, in execution (topological) order.
package dev.cnnc.compiler.ir;

import dev.cnnc.compiler.ops.BatchNorm;
import dev.cnnc.compiler.ops.Shape;
import dev.cnnc.compiler.resolve.TrainSpec;
import java.util.ArrayList;
import java.util.List;

/** Node 0 is the input; the last node is the output. Node ids equal their positions. */
public record Graph(String name, String file, List<Node> nodes, TrainSpec train) {
  public Graph {
    nodes = List.copyOf(nodes);
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).id() != i) throw new IllegalArgumentException("node " + i + " has id " + nodes.get(i).id());
    }
  }

  public Shape input() {
    return nodes.get(0).output();
  }

  public Node output() {
    return nodes.get(nodes.size() - 1);
  }

  public Node node(int id) {
    return nodes.get(id);
  }

  /** Ids of the nodes that read node {@code id}'s output. */
  public List<Integer> consumers(int id) {
    List<Integer> out = new ArrayList<>();
    for (Node n : nodes) if (n.inputs().contains(id)) out.add(n.id());
    return out;
  }

  public Graph withNodes(List<Node> replacement) {
    return new Graph(name, file, replacement, train);
  }

  public long totalParams() {
    return nodes.stream().flatMap(n -> n.op().params().stream()).mapToLong(t -> t.size()).sum();
  }

  /**
   * The batch norms that see one value per channel of each image (a flat input, or a 1×1 map), as
   * "bn_0 at 4:28 (32 features)". Training statistics over a batch of one image have no variance
   * there: the layer outputs its bias and passes no gradient, and PyTorch refuses such a step.
   */
  public List<String> oneValueBatchNorms() {
    List<String> found = new ArrayList<>();
    for (Node n : nodes) {
      if (!(n.op() instanceof BatchNorm bn) || !bn.oneValuePerChannel()) continue;
      found.add(n.name() + (n.span().isKnown() ? " at " + n.span().line() + ":" + n.span().column() : "")
          + " (" + bn.valuesPerImage() + ")");
    }
    return found;
  }

  public long totalMacs() {
    return nodes.stream().mapToLong(n -> n.op().macs()).sum();
  }
}
