// The slices of a flat parameter array that an optimizer updates, each with its weight decay flag.
package dev.cnnc.runtime.optim;

import dev.cnnc.runtime.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Ranges [begin, end) taken from the tensor specs, checked to fit the array and not to overlap. */
final class ParamRanges {
  final int[] begin;
  final int[] end;
  final boolean[] decay;
  final int size;

  ParamRanges(List<TensorSpec> specs, int size) {
    List<TensorSpec> sorted = new ArrayList<>(specs);
    sorted.sort((a, b) -> Integer.compare(a.offset(), b.offset()));
    int n = sorted.size();
    begin = new int[n];
    end = new int[n];
    decay = new boolean[n];
    int previousEnd = 0;
    for (int i = 0; i < n; i++) {
      TensorSpec s = sorted.get(i);
      begin[i] = s.offset();
      end[i] = s.offset() + s.size();
      decay[i] = s.decay();
      if (begin[i] < previousEnd || end[i] > size) {
        throw new IllegalArgumentException(s + " overlaps another tensor or lies outside " + size + " floats");
      }
      previousEnd = end[i];
    }
    this.size = size;
  }

  /** The step count stored as one float: exact up to 2^24 steps, which no CIFAR run reaches. */
  static float[] stepState(long steps) {
    if (steps > (1 << 24)) throw new IllegalStateException(steps + " steps cannot be saved exactly");
    return new float[] {steps};
  }

  static long readSteps(Map<String, float[]> state) {
    float[] s = state.get("step");
    if (s == null || s.length != 1 || s[0] < 0 || s[0] != Math.rint(s[0])) {
      throw new IllegalArgumentException("optimizer state has no valid 'step'");
    }
    return (long) s[0];
  }

  /** Copies {@code state[name]} into {@code into}, checking its length. */
  static void restore(Map<String, float[]> state, String name, float[] into) {
    float[] from = state.get(name);
    if (from == null || from.length != into.length) {
      throw new IllegalArgumentException("optimizer state '" + name + "' is "
          + (from == null ? "missing" : from.length + " floats") + "; expected " + into.length);
    }
    System.arraycopy(from, 0, into, 0, into.length);
  }
}
