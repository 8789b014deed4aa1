// A model whose parameters live on an accelerator: the training loop lets it run the optimizer
// there, so a training step never copies parameters or gradients between host and device.
package dev.cnnc.runtime;

import dev.cnnc.runtime.optim.Optimizer;
import dev.cnnc.runtime.optim.OptimizerConfig;

/**
 * The {@link Model} contract still holds: {@link #parameterData()}, {@link #gradientData()} and
 * {@link #bufferData()} return host copies, fetched from the device when they are asked for, and
 * what is written into them reaches the device before its next step. The optimizer returned here
 * updates the device's copy; its {@code step} ignores the arrays it is handed, and its exported
 * state has the names and layout of the runtime's CPU optimizer of the same kind, so checkpoints
 * move freely between backends.
 */
public interface DeviceModel extends Model {
  /** A fresh optimizer that updates this model's parameters where they live. */
  Optimizer createOptimizer(OptimizerConfig config);
}
