// One kind of layer, bound to its static shapes. Each op lives in one file of this package,
// with its shape rule, parameters, reference implementation and code emitters together.
package dev.cnnc.compiler.ops;

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
}
