// The built-in layers by name: the one table to extend when adding an op.
package dev.cnnc.compiler.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

public final class Registry {
  /** Builds an op for one use of a layer, or returns null after reporting why it cannot. */
  public record Entry(String usage, Function<Binding, Op> bind) {}

  private static final Map<String, Entry> OPS = new LinkedHashMap<>();

  static {
    OPS.put("conv", new Entry(Conv.USAGE, Conv::bind));
    OPS.put("pool", new Entry(Pool.USAGE, Pool::bindMax));
    OPS.put("maxpool", new Entry(Pool.USAGE, Pool::bindMax));
    OPS.put("avgpool", new Entry(Pool.USAGE, Pool::bindAvg));
    OPS.put("gap", new Entry(GlobalAvgPool.USAGE, GlobalAvgPool::bind));
    OPS.put("fc", new Entry(Fc.USAGE, Fc::bind));
    OPS.put("flatten", new Entry(Flatten.USAGE, Flatten::bind));
    for (Activation.Fn fn : Activation.Fn.values()) {
      OPS.put(fn.word, new Entry(Activation.USAGE, b -> Activation.bind(b, fn)));
    }
    OPS.put("bn", new Entry(BatchNorm.USAGE, BatchNorm::bind));
    OPS.put("dropout", new Entry(Dropout.USAGE, Dropout::bind));
    OPS.put("softmax", new Entry(Softmax.USAGE, Softmax::bind));
  }

  private Registry() {}

  public static Optional<Entry> find(String name) {
    return Optional.ofNullable(OPS.get(name));
  }

  public static Set<String> names() {
    return OPS.keySet();
  }
}
