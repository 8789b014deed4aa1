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
    long h = mix(seed * 0x9e3779b97f4a7c15L + mix(((long) stream << 40) ^ index));
    return (h >>> 40) * 0x1.0p-24f;
  }
}
