// What the Java emitter tells an op's kernel code: array names, offsets and fusion choices.
package dev.cnnc.compiler.ops;

import dev.cnnc.compiler.ir.Node;

public interface JavaGen {
  /** Input i's activation array, (N, input size). */
  String x(int i);

  /** The output array, (N, output size). */
  String y();

  /** d loss / d output. */
  String dy();

  /** d loss / d input i, or null when nothing needs it (the network input). */
  String dx(int i);

  /** Whether this op adds into {@link #dx} (another reader of that input also contributes) or overwrites it. */
  boolean accumulate(int i);

  /** The array holding parameter {@code suffix} ("params", or a folded copy at inference). */
  String paramArray(String suffix);

  /** The constant naming the parameter's offset within {@link #paramArray}. */
  String param(String suffix);

  /** The constant naming a buffer's offset in {@code buffers}. */
  String buffer(String suffix);

  /** A private scratch array of this node (argmax indices, batch statistics), declared once. */
  String aux(String what, long size, boolean perImage, boolean ints);

  /** A constant table of this node ({@code static final int[]} set by {@code init}), declared once; returns its name. */
  String table(String what, com.squareup.javapoet.CodeBlock init);

  /** A float scratch array of {@code size} for the running thread ({@code name[t]}), e.g. im2col columns. */
  default String scratch(String what, long size) {
    return scratch(what, size, false);
  }

  /** A scratch array of {@code size} floats or ints for the running thread ({@code name[t]}). */
  String scratch(String what, long size, boolean ints);

  /**
   * Code run once per launch, on the launching thread before any chunk of images starts: work that
   * depends only on the parameters (weights repacked for the micro-kernel), done once however many
   * chunks the batch is cut into. It fills {@link #aux} arrays (shared, not per thread) and names
   * the parameters by {@link #paramArray} (no locals of the kernel are in scope).
   */
  com.squareup.javapoet.CodeBlock.Builder prepare();

  Node node();

  /** The fused activation, or null. */
  default Activation epilogue() {
    return node().epilogue();
  }

  /** The residual branch added to the output before the epilogue (a fused residual add), or null. */
  default String residual() {
    return node().residual() ? x(1) : null;
  }

  boolean training();
}
