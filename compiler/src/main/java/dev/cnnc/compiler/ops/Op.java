// One kind of layer, bound to its static shapes. Each op lives in one file of this package,
// with its shape rule, parameters, reference implementation and code emitters together.
package dev.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;
import java.util.List;

public interface Op {
  /** The op's word in the language and in summaries: "conv", "pool", "fc". */
  String kind();

  /** What it does with its numbers, for summaries and diagnostics: "conv 3→16 k3 s1 p1". */
  String describe();

  /** The shape of its (first) input, per image. */
  Shape input();

  Shape output();

  /** Trainable tensors, in checkpoint order. */
  default List<Tensor> params() {
    return List.of();
  }

  /** Non-trainable state (batch-norm running statistics). */
  default List<Tensor> buffers() {
    return List.of();
  }

  /** Multiply-adds per image. */
  default long macs() {
    return 0;
  }

  /**
   * Whether, at inference, this op's output loop can also add a residual block's other branch
   * (input 1, the same shape as the output) before its epilogue ({@link JavaGen#residual()}).
   */
  default boolean acceptsResidual() {
    return false;
  }

  /** Whether an activation can be applied in this op's output loop (and its derivative in backward). */
  default boolean acceptsEpilogue() {
    return false;
  }

  /** Whether backward reads the op's inputs (so they must outlive the forward pass). */
  default boolean backwardReadsInput() {
    return false;
  }

  /** Whether backward reads the op's own output. */
  default boolean backwardReadsOutput() {
    return false;
  }

  /** The plain, obviously-correct forward: the oracle every backend is checked against. */
  void referenceForward(Ref r);

  /** The reference backward: accumulates d loss / d inputs and parameters from {@code r.dy()}. */
  void referenceBackward(Ref r);

  /**
   * Java source of the forward kernel body. It runs inside
   * {@code void k(int t, int chunk, int lo, int hi)}, once per chunk of the batch: images
   * {@code [lo, hi)} (channels when {@link #javaOverChannels()}), on thread {@code t} (whose
   * {@link JavaGen#scratch} arrays it may use); a thread may run several chunks of one launch.
   * In scope: {@code params}, {@code buffers}, {@code batch} (images this step) and {@code seed}.
   */
  CodeBlock javaForward(JavaGen k);

  /**
   * Java source of the backward kernel body; {@code g} is the chunk's gradient accumulator
   * (declared for image-split ops with parameters).
   */
  CodeBlock javaBackward(JavaGen k);

  /**
   * Kernels that split channels between threads instead of images (batch statistics). Their
   * parameter gradients go straight into {@code gradients} with "=": each channel has one writer.
   */
  default boolean javaOverChannels() {
    return false;
  }

  /**
   * Whether the parameter gradients come from a second backward kernel, run after the first, that
   * splits the weights between threads (not the images) and writes {@code gradients} directly.
   * Worth it for large weights (fc, convs on small maps): per-chunk copies of a 4–9 MB gradient
   * cost more to clear and add up than the GEMM.
   */
  default boolean javaWeightGradientsOverOutputs() {
    return false;
  }

  /**
   * The range the forward kernel's chunks split instead of the images (0: the images). fc splits
   * its output features, all images each: a chunk of images streamed the whole weight matrix (4 MB
   * for SimpleCNN's fc1) once per chunk, a chunk of outputs reads its rows of it once.
   */
  default int javaForwardRange() {
    return 0;
  }

  /**
   * The range the backward kernel's chunks split instead of the images (0: the images). fc splits
   * its input features, reading its columns of the weights once; its backward then runs after the
   * weight-gradient kernel ({@link #javaWeightGradientsOverOutputs}), which applies a fused
   * activation's derivative to dy first.
   */
  default int javaBackwardRange() {
    return 0;
  }

  /** The size of the range that second kernel's chunks split (default: the output features). */
  default int javaWeightGradientsRange() {
    return output().channels();
  }

  /** That second kernel: each chunk is [lo, hi) of {@link #javaWeightGradientsRange} over the whole batch. */
  default CodeBlock javaBackwardWeights(JavaGen k) {
    throw new UnsupportedOperationException(kind() + " computes its weight gradients in its backward kernel");
  }

  /** An op that only reinterprets its input's memory (flatten): no kernels, no buffers of its own. */
  default boolean isAlias() {
    return false;
  }

  // ---- CUDA ----

  /**
   * Adds the CUDA kernels (and cuBLAS products) of the forward pass to the step {@code k} is
   * generating: training or inference, as {@link CudaGen#training()} says.
   */
  default void cudaForward(CudaGen k) {
    throw new UnsupportedOperationException("the CUDA backend has no forward kernel for `" + kind() + "` yet");
  }

  /** Adds the CUDA kernels of the backward pass: parameter gradients and d loss / d inputs from {@code k.dy()}. */
  default void cudaBackward(CudaGen k) {
    throw new UnsupportedOperationException("the CUDA backend has no backward kernel for `" + kind() + "` yet");
  }
}
