// A parameter or buffer an op owns: its name suffix ("weight"), PyTorch layout and role.
package dev.cnnc.compiler.ops;

import java.util.Arrays;

/**
 * @param suffix appended to the layer name: {@code conv1.weight}
 * @param dims PyTorch layout: conv (O, I, kH, kW), fc (out, in), bn (C)
 * @param decay whether weight decay applies
 * @param init how training initialises it
 */
public record Tensor(String suffix, int[] dims, boolean decay, Init init) {
  public enum Init {
    /** Kaiming-uniform over fan-in, as PyTorch initialises conv and linear weights. */
    KAIMING_UNIFORM,
    /** Uniform ±1/sqrt(fan-in), as PyTorch initialises conv and linear biases. */
    FAN_IN_BIAS,
    ZEROS,
    ONES
  }

  public long size() {
    long n = 1;
    for (int d : dims) n *= d;
    return n;
  }

  @Override
  public int[] dims() {
    return dims.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t && t.suffix.equals(suffix) && Arrays.equals(t.dims, dims)
        && t.decay == decay && t.init == init;
  }

  @Override
  public int hashCode() {
    return suffix.hashCode() * 31 + Arrays.hashCode(dims);
  }
}
