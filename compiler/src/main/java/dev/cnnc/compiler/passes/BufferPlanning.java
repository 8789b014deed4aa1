// Assigns activations and gradients to preallocated buffers, reusing a buffer once the tensor in
// it is dead. Training and inference never run at once, so inference reuses the same buffers.
package dev.cnnc.compiler.passes;

import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Training runs node v's forward at time v, the loss at time N, and v's backward at 2N − v. A
 * tensor is live from the step that writes it through the last step that reads it (inclusive,
 * so an op never reads and writes the same buffer). Flatten aliases its input.
 */
public final class BufferPlanning {
  /** One logical tensor: which node's output or gradient, its size and live steps. */
  private record Tensor(int node, boolean grad, long size, int start, int end) {}

  private final List<Long> sizes = new ArrayList<>();
  private final List<Integer> busyUntil = new ArrayList<>();

  private BufferPlanning() {}

  public static BufferPlan plan(Graph train, Graph infer) {
    return new BufferPlanning().run(train, infer);
  }

  private BufferPlan run(Graph train, Graph infer) {
    int n = train.nodes().size();
    List<Tensor> tensors = new ArrayList<>();
    Map<String, Boolean> accumulate = new HashMap<>();
    boolean[] needed = gradientsNeeded(train);
    for (Node v : train.nodes()) {
      if (v.id() == 0 || v.op().isAlias()) continue;
      List<int[]> readers = readers(train, v.id());
      int end = v.id();
      for (int[] r : readers) {
        Node c = train.node(r[0]);
        end = Math.max(end, c.id());
        if (c.op().backwardReadsInput()) end = Math.max(end, 2 * n - c.id());
      }
      if (v.op().backwardReadsOutput() || v.epilogue() != null) end = Math.max(end, 2 * n - v.id());
      if (canonical(train, n - 1) == v.id()) end = Math.max(end, n);
      tensors.add(new Tensor(v.id(), false, v.output().size(), v.id(), end));
      if (readers.isEmpty() && canonical(train, n - 1) != v.id()) continue; // read by nothing: no gradient
      if (!needed[v.id()] && canonical(train, n - 1) != v.id()) continue; // no parameter before it: no gradient
      // The gradient is first written by the backward of the latest reader (or by the loss).
      readers.sort(Comparator.comparingInt((int[] r) -> -r[0]));
      int start = canonical(train, n - 1) == v.id() ? n : 2 * n - readers.get(0)[0];
      boolean written = canonical(train, n - 1) == v.id();
      for (int[] r : readers) {
        accumulate.put(r[0] + ":" + r[1], written);
        written = true;
      }
      tensors.add(new Tensor(v.id(), true, v.output().size(), start, 2 * n - v.id()));
    }
    for (Node v : train.nodes()) {
      for (int i = 0; i < v.inputs().size(); i++) {
        if (canonical(train, v.inputs().get(i)) == 0) accumulate.remove(v.id() + ":" + i);
      }
    }
    Map<Integer, Integer> trainOut = new HashMap<>();
    Map<Integer, Integer> trainGrad = new HashMap<>();
    tensors.sort(Comparator.comparingInt(Tensor::start).thenComparingInt(Tensor::node));
    for (Tensor t : tensors) (t.grad ? trainGrad : trainOut).put(t.node, assign(t));
    aliases(train, trainOut, trainGrad);

    for (int b = 0; b < busyUntil.size(); b++) busyUntil.set(b, -1);
    Map<Integer, Integer> inferOut = new HashMap<>();
    int m = infer.nodes().size();
    for (Node v : infer.nodes()) {
      if (v.id() == 0 || v.op().isAlias()) continue;
      int end = v.id();
      for (int[] r : readers(infer, v.id())) end = Math.max(end, r[0]);
      if (canonical(infer, m - 1) == v.id()) end = m;
      inferOut.put(v.id(), assign(new Tensor(v.id(), false, v.output().size(), v.id(), end)));
    }
    aliases(infer, inferOut, null);
    return new BufferPlan(List.copyOf(sizes), trainOut, trainGrad, inferOut, accumulate);
  }

  /**
   * Whether d loss / d output of each node is needed: the node or one before it has parameters.
   * Layers between the input and the first parameter (an input dropout, pool or activation) get
   * no gradient, so neither their backward nor their reader's input gradient runs.
   */
  static boolean[] gradientsNeeded(Graph g) {
    boolean[] needed = new boolean[g.nodes().size()];
    for (Node v : g.nodes()) {
      boolean any = !v.op().params().isEmpty();
      for (int u : v.inputs()) any |= needed[u];
      needed[v.id()] = any;
    }
    return needed;
  }

  /** The free buffer that fits best (or the largest free one, grown), else a new one. */
  private int assign(Tensor t) {
    int best = -1;
    for (int b = 0; b < sizes.size(); b++) {
      if (busyUntil.get(b) >= t.start) continue;
      if (best < 0) {
        best = b;
        continue;
      }
      boolean fits = sizes.get(b) >= t.size;
      boolean bestFits = sizes.get(best) >= t.size;
      if (fits && (!bestFits || sizes.get(b) < sizes.get(best)) || !fits && !bestFits && sizes.get(b) > sizes.get(best)) {
        best = b;
      }
    }
    if (best < 0) {
      sizes.add(t.size);
      busyUntil.add(t.end);
      return sizes.size() - 1;
    }
    sizes.set(best, Math.max(sizes.get(best), t.size));
    busyUntil.set(best, t.end);
    return best;
  }

  /** (reader id, input index) for every non-alias node that reads v, looking through aliases. */
  private static List<int[]> readers(Graph g, int v) {
    List<int[]> out = new ArrayList<>();
    for (Node c : g.nodes()) {
      for (int i = 0; i < c.inputs().size(); i++) {
        if (canonical(g, c.inputs().get(i)) != v) continue;
        if (c.op().isAlias()) continue;
        out.add(new int[] {c.id(), i});
      }
    }
    return out;
  }

  static int canonical(Graph g, int v) {
    while (g.node(v).op().isAlias()) v = g.node(v).inputs().get(0);
    return v;
  }

  private static void aliases(Graph g, Map<Integer, Integer> out, Map<Integer, Integer> grad) {
    for (Node v : g.nodes()) {
      if (v.id() == 0) out.put(0, BufferPlan.INPUT);
      if (!v.op().isAlias()) continue;
      int c = canonical(g, v.id());
      out.put(v.id(), c == 0 ? BufferPlan.INPUT : out.get(c));
      if (grad != null && grad.containsKey(c)) grad.put(v.id(), grad.get(c));
    }
  }
}
