// Updates a model's flat parameter array from its gradient array, one training step at a time.
package dev.cnnc.runtime.optim;

import java.util.Map;

/**
 * An optimizer over one flat parameter array laid out by a list of {@code TensorSpec}s (weight
 * decay applies only to tensors whose {@code decay()} is true). Its state round-trips through
 * {@link #exportState()} / {@link #importState}, bit for bit, so a resumed run continues exactly.
 */
public interface Optimizer {
  /** One update of {@code params} in place from {@code grads} (same layout) at learning rate {@code lr}. */
  void step(float[] params, float[] grads, double lr);

  /** Steps taken so far (restored by {@link #importState}). */
  long steps();

  /** The state as named flat arrays; "step" holds the step count as one float. */
  Map<String, float[]> exportState();

  /** Restores what {@link #exportState} gave; throws if names or sizes do not fit this optimizer. */
  void importState(Map<String, float[]> state);
}
