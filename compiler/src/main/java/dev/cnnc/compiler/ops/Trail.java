// The shape changes on the way from the network input to one layer, which diagnostics quote to
// show the arithmetic. Persistent: a layer shares its predecessor's trail, so recording it costs
// nothing per layer that keeps the shape and one link per layer that changes it.
package dev.cnnc.compiler.ops;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** @param before the trail up to the layer before {@code last}'s, or null at the network input */
public record Trail(Step last, Trail before) {
  public static Trail start(Step input) {
    return new Trail(input, null);
  }

  /** This trail followed by {@code step}; the same trail when the step keeps the shape. */
  public Trail then(Step step) {
    return step.out().equals(last.out()) ? this : new Trail(step, this);
  }

  /** From the input to here: the first layer to produce each new shape. */
  public List<Step> steps() {
    List<Step> out = new ArrayList<>();
    for (Trail t = this; t != null; t = t.before) out.add(t.last);
    Collections.reverse(out);
    return out;
  }
}
