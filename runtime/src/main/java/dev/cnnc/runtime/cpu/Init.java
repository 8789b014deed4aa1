// Parameter initialisation as PyTorch does it by default, from a seeded generator. Every backend
// and the reference initialise through here, so the same seed gives the same starting weights.
package dev.cnnc.runtime.cpu;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

public final class Init {
  public enum Kind {
    /** U(−1/√fanIn, 1/√fanIn): PyTorch's default for Conv2d and Linear weights and biases alike. */
    UNIFORM_FAN_IN,
    ZEROS,
    ONES
  }

  /** How to initialise one tensor: in the parameter or the buffer array, where, and how. */
  public record Spec(boolean buffer, int offset, int size, Kind kind, int fanIn) {}

  private Init() {}

  /** Initialises every tensor in order from one generator seeded with {@code seed}. */
  public static void initialize(float[] params, float[] buffers, List<Spec> specs, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    for (Spec s : specs) {
      float[] data = s.buffer() ? buffers : params;
      switch (s.kind()) {
        case ZEROS -> Arrays.fill(data, s.offset(), s.offset() + s.size(), 0f);
        case ONES -> Arrays.fill(data, s.offset(), s.offset() + s.size(), 1f);
        case UNIFORM_FAN_IN -> {
          // kaiming_uniform_(a = √5) has bound gain·√(3/fanIn) = √(1/3)·√(3/fanIn) = 1/√fanIn
          double bound = 1 / Math.sqrt(s.fanIn());
          for (int i = s.offset(); i < s.offset() + s.size(); i++) {
            data[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
          }
        }
      }
    }
  }
}
