// Where one named tensor (a parameter or a buffer) lives inside a model's flat float array.
package dev.cnnc.runtime;

import java.util.Arrays;

/**
 * A named tensor inside a flat array: {@code data[offset .. offset + size())}, row-major in
 * {@code shape}. Names and layouts follow PyTorch ({@code conv1.weight} is (O, I, kH, kW)).
 *
 * @param decay whether weight decay applies (weights yes; biases and batch-norm parameters no)
 */
public record TensorSpec(String name, int[] shape, int offset, boolean decay) {
  public TensorSpec {
    shape = shape.clone();
  }

  public int size() {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t && t.name.equals(name) && Arrays.equals(t.shape, shape)
        && t.offset == offset && t.decay == decay;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + "@" + offset;
  }
}
