// Removes or moves nodes of a graph, rewiring their readers and renumbering ids.
package dev.cnnc.compiler.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public final class Rewrite {
  private Rewrite() {}

  /**
   * @param replaced old id → new content of that node (same id), applied before removal
   * @param removed old id → old id of the node whose value readers of the removed node now read
   */
  public static Graph apply(Graph g, Map<Integer, Node> replaced, Map<Integer, Integer> removed) {
    Map<Integer, Integer> newId = new HashMap<>();
    List<Node> out = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (removed.containsKey(n.id())) continue;
      newId.put(n.id(), out.size());
      out.add(replaced.getOrDefault(n.id(), n));
    }
    List<Node> renumbered = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      Node n = out.get(i);
      List<Integer> inputs = new ArrayList<>();
      for (int in : n.inputs()) inputs.add(newId.get(resolve(in, removed)));
      renumbered.add(n.withId(i, inputs));
    }
    return g.withNodes(renumbered);
  }

  /**
   * Moves node {@code from} to position {@code to} (< from), shifting the nodes between one place
   * later. The caller makes sure the order stays topological: every input of {@code from} before {@code to}.
   */
  public static Graph move(Graph g, int from, int to) {
    List<Node> order = new ArrayList<>(g.nodes());
    order.add(to, order.remove(from));
    Map<Integer, Integer> newId = new HashMap<>();
    for (int i = 0; i < order.size(); i++) newId.put(order.get(i).id(), i);
    List<Node> renumbered = new ArrayList<>();
    for (int i = 0; i < order.size(); i++) {
      List<Integer> inputs = new ArrayList<>();
      for (int in : order.get(i).inputs()) inputs.add(newId.get(in));
      renumbered.add(order.get(i).withId(i, inputs));
    }
    return g.withNodes(renumbered);
  }

  private static int resolve(int id, Map<Integer, Integer> removed) {
    while (removed.containsKey(id)) id = removed.get(id);
    return id;
  }
}
