// The static shape of one image's tensor: (C, H, W) for feature maps, (F) for flat vectors.
package dev.cnnc.compiler.ops;

import java.util.Arrays;

public final class Shape {
  private final int[] dims;

  private Shape(int[] dims) {
    this.dims = dims;
  }

  public static Shape chw(int c, int h, int w) {
    return new Shape(new int[] {c, h, w});
  }

  public static Shape flat(int features) {
    return new Shape(new int[] {features});
  }

  public boolean isFlat() {
    return dims.length == 1;
  }

  public boolean isMap() {
    return dims.length == 3;
  }

  /** Channels of a map, or features of a flat vector. */
  public int channels() {
    return dims[0];
  }

  public int h() {
    return isMap() ? dims[1] : 1;
  }

  public int w() {
    return isMap() ? dims[2] : 1;
  }

  /** Elements per image. */
  public long size() {
    long n = 1;
    for (int d : dims) n *= d;
    return n;
  }

  public int[] dims() {
    return dims.clone();
  }

  /** "16×32×32" or "2048", as diagnostics and summaries write shapes. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) b.append('×');
      b.append(dims[i]);
    }
    return b.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(s.dims, dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }
}
