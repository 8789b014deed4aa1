// Where each parameter and buffer of a graph lives in the flat arrays, with its checkpoint name
// ("<layer>.weight") and how it is initialised. One layout serves every backend.
package dev.cnnc.compiler.ir;

import dev.cnnc.compiler.ops.Tensor;
import dev.cnnc.runtime.TensorSpec;
import dev.cnnc.runtime.cpu.Init;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public record Layout(List<TensorSpec> params, List<TensorSpec> buffers, List<Init.Spec> inits) {
  public static Layout of(Graph g) {
    List<TensorSpec> params = new ArrayList<>();
    List<TensorSpec> buffers = new ArrayList<>();
    List<Init.Spec> inits = new ArrayList<>();
    long p = 0;
    long b = 0;
    for (Node n : g.nodes()) {
      int fanIn = fanIn(n);
      for (Tensor t : n.op().params()) {
        params.add(new TensorSpec(n.name() + "." + t.suffix(), t.dims(), (int) p, t.decay()));
        inits.add(new Init.Spec(false, (int) p, (int) t.size(), kind(t), fanIn));
        p += t.size();
      }
      for (Tensor t : n.op().buffers()) {
        buffers.add(new TensorSpec(n.name() + "." + t.suffix(), t.dims(), (int) b, false));
        inits.add(new Init.Spec(true, (int) b, (int) t.size(), kind(t), fanIn));
        b += t.size();
      }
      if (p > Integer.MAX_VALUE - 8 || b > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("the network has more parameters than one array can hold");
      }
    }
    return new Layout(List.copyOf(params), List.copyOf(buffers), List.copyOf(inits));
  }

  /** Offsets by full name: "conv1.weight" → 0. */
  public Map<String, Integer> offsets() {
    Map<String, Integer> m = new HashMap<>();
    for (TensorSpec t : params) m.put(t.name(), t.offset());
    for (TensorSpec t : buffers) m.put(t.name(), t.offset());
    return m;
  }

  public int paramCount() {
    return params.isEmpty() ? 0 : params.get(params.size() - 1).offset() + params.get(params.size() - 1).size();
  }

  public int bufferCount() {
    return buffers.isEmpty() ? 0 : buffers.get(buffers.size() - 1).offset() + buffers.get(buffers.size() - 1).size();
  }

  /** Inputs per output of the node's weight: I·kH·kW for conv, in for fc. */
  private static int fanIn(Node n) {
    for (Tensor t : n.op().params()) {
      if (!t.suffix().equals("weight") || t.dims().length < 2) continue;
      int f = 1;
      for (int i = 1; i < t.dims().length; i++) f *= t.dims()[i];
      return f;
    }
    return 1;
  }

  private static Init.Kind kind(Tensor t) {
    return switch (t.init()) {
      case KAIMING_UNIFORM, FAN_IN_BIAS -> Init.Kind.UNIFORM_FAN_IN;
      case ZEROS -> Init.Kind.ZEROS;
      case ONES -> Init.Kind.ONES;
    };
  }
}
