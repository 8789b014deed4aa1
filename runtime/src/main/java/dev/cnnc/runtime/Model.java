// The contract between the runtime and a compiled network, whatever backend produced it.
package dev.cnnc.runtime;

import java.util.List;

/**
 * A network ready to train. Parameters, their gradients and the non-trainable buffers
 * (batch-norm running statistics) live in flat float arrays laid out as {@link #parameters()}
 * and {@link #buffers()} say; the optimizer updates {@link #parameterData()} in place.
 *
 * <p>Images are (N, C, H, W) float arrays, already normalised. Logits are (N, classes).
 */
public interface Model {
  /** The network's name from its spec. */
  String name();

  /** (C, H, W) of one input image. */
  int[] inputShape();

  /** Number of output logits per image. */
  int classes();

  /** The largest batch {@link #trainStep} and {@link #infer} accept. */
  int maxBatch();

  /** Trainable tensors, in checkpoint order, as slices of {@link #parameterData()}. */
  List<TensorSpec> parameters();

  /** Non-trainable tensors (running mean and variance), as slices of {@link #bufferData()}. */
  List<TensorSpec> buffers();

  /** All trainable parameters, flat; updated in place by the optimizer. */
  float[] parameterData();

  /** d(mean loss)/d(parameter) from the last {@link #trainStep}, same layout as the parameters. */
  float[] gradientData();

  /** Running statistics, flat; updated by each training-mode forward. */
  float[] bufferData();

  /**
   * Forward in training mode, softmax cross-entropy against {@code labels}, and backward:
   * afterwards {@link #gradientData()} holds the gradient of the mean loss over the batch.
   *
   * @param x (n, C, H, W) normalised images
   * @param labels (n) class indices
   * @param labelSmoothing epsilon of label smoothing, 0 for plain cross-entropy
   * @param seed seeds dropout masks for this step, so a step is repeatable
   */
  StepResult trainStep(float[] x, int[] labels, int n, float labelSmoothing, long seed);

  /** Forward in inference mode (running statistics, no dropout): logits (n, classes). */
  void infer(float[] x, int n, float[] logits);
}
