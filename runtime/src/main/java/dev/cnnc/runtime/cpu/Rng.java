// Counter-based random numbers for dropout: the value for (seed, stream, index) never depends on
// which thread asks, or in what order, so generated code, the reference and CUDA agree.
package dev.cnnc.runtime.cpu;

public final class Rng {
  private Rng() {}

  /** SplitMix64's finaliser: a well-mixed 64-bit hash. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, 1) for element {@code index} of stream {@code stream} under {@code seed}. */
  public static float uniform(long seed, int stream, long index) {
    return bits24(seed, stream, index) * 0x1.0p-24f;
  }

  /**
   * All ones where {@link #uniform} is at least p, else 0, with {@code threshold} =
   * {@link #threshold}(p); no branch. Dropout ANDs it into a value's bits: the branch on
   * uniform(…) ≥ p it replaced made the loop 2.5–3× slower (11–13 against 3.4–5.2 ns an element
   * here; mispredictions are the likely cause, not profiled).
   */
  public static int keepMask(long seed, int stream, long index, int threshold) {
    return ~((bits24(seed, stream, index) - threshold) >> 31);
  }

  /**
   * The least k with k·2^-24 ≥ p: uniform(…) ≥ p exactly when its 24-bit integer is at least this
   * (p·2^24 is exact in double).
   */
  public static int threshold(float p) {
    return (int) Math.ceil(p * 16777216.0);
  }

  /** The 24 bits behind {@link #uniform}. */
  private static int bits24(long seed, int stream, long index) {
    long h = mix(seed * 0x9e3779b97f4a7c15L + mix(((long) stream << 40) ^ index));
    return (int) (h >>> 40);
  }
}
