// Where every activation and gradient lives: physical buffers shared by tensors whose lifetimes
// do not overlap, and for each backward write whether it overwrites or accumulates.
package dev.cnnc.compiler.passes;

import java.util.List;
import java.util.Map;

/**
 * @param sizes floats per image of each physical buffer (allocated as maxBatch × size)
 * @param trainOut training graph node id → buffer holding its output (−1: the input array)
 * @param trainGrad training graph node id → buffer holding d loss / d output (absent: not needed)
 * @param inferOut inference graph node id → buffer holding its output (−1: the input array)
 * @param accumulate "consumer:inputIndex" → whether that backward write adds to the gradient
 */
public record BufferPlan(
    List<Long> sizes,
    Map<Integer, Integer> trainOut,
    Map<Integer, Integer> trainGrad,
    Map<Integer, Integer> inferOut,
    Map<String, Boolean> accumulate) {

  public static final int INPUT = -1;

  public boolean accumulates(int consumer, int inputIndex) {
    return accumulate.getOrDefault(consumer + ":" + inputIndex, false);
  }

  /** Floats per image over all physical buffers. */
  public long totalPerImage() {
    return sizes.stream().mapToLong(Long::longValue).sum();
  }
}
