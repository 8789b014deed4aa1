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

  /**
   * The batch norms that see one value per channel of each image (after a flat layer, or on a
   * 1×1 map), as "bn_0 at 4:28 (32 features)". A training step over one image has no variance to
   * normalise them by, so while there are any, {@link #trainStep} needs two images or more.
   */
  default List<String> oneValueBatchNorms() {
    return List.of();
  }

  /** The smallest batch {@link #trainStep} accepts: 2 when {@link #oneValueBatchNorms()} has any, else 1. */
  default int minTrainBatch() {
    return oneValueBatchNorms().isEmpty() ? 1 : 2;
  }

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
   * @param n images in the batch, {@link #minTrainBatch()} to {@link #maxBatch()}
   * @param labelSmoothing epsilon of label smoothing, 0 for plain cross-entropy
   * @param seed seeds dropout masks for this step, so a step is repeatable
   */
  StepResult trainStep(float[] x, int[] labels, int n, float labelSmoothing, long seed);

  /**
   * Why a training step over one image cannot work, in words ("its batch norm bn_0 at 4:28 (32
   * features) sees one value per channel of an image, …"); null when it can.
   */
  default String oneImageProblem() {
    List<String> bns = oneValueBatchNorms();
    if (bns.isEmpty()) return null;
    return (bns.size() == 1 ? "its batch norm " + bns.get(0) + " sees" : "its batch norms " + String.join(", ", bns)
        + " see") + " one value per channel of an image, and one image's value has no variance to normalise by"
        + " (PyTorch refuses this too)";
  }

  /** Why {@link #trainStep} refuses a batch of {@code n} images, as a sentence without its full stop; null when it takes it. */
  default String trainBatchProblem(int n) {
    if (n < 1) return "A batch needs at least one image, got " + n;
    if (n > maxBatch()) return "A batch of " + n + " images is larger than " + name() + " was built for (" + maxBatch() + ")";
    if (n >= minTrainBatch()) return null;
    return "A batch of one image cannot train " + name() + ": " + oneImageProblem();
  }

  /** Forward in inference mode (running statistics, no dropout): logits (n, classes), for n from 1 to {@link #maxBatch()}. */
  void infer(float[] x, int n, float[] logits);
}
