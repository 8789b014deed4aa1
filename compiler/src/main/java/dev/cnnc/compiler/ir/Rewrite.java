// Removes nodes from a graph, rewiring their readers to a replacement and renumbering ids.
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

  private static int resolve(int id, Map<Integer, Integer> removed) {
    while (removed.containsKey(id)) id = removed.get(id);
    return id;
  }
}
