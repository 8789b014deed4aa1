// A labelled image set in memory, as read from disk: raw pixel bytes, not yet normalised.
package dev.cnnc.runtime.data;

import java.util.List;

/**
 * Images and their labels. The arrays are shared, not copied: treat them as read-only.
 *
 * @param images (N, C, H, W) pixel bytes, 0..255 (read them with {@code & 0xFF})
 * @param labels (N) class indices
 * @param classNames the class names in label order
 */
public record Dataset(byte[] images, byte[] labels, List<String> classNames) {
  public static final int CHANNELS = 3;
  public static final int HEIGHT = 32;
  public static final int WIDTH = 32;
  /** Bytes (and floats, once normalised) in one (C, H, W) image. */
  public static final int IMAGE_SIZE = CHANNELS * HEIGHT * WIDTH;

  public Dataset {
    if (images.length != labels.length * IMAGE_SIZE) {
      throw new IllegalArgumentException(
          images.length + " image bytes for " + labels.length + " labels; expected "
              + (long) labels.length * IMAGE_SIZE);
    }
    classNames = List.copyOf(classNames);
  }

  /** Number of images. */
  public int size() {
    return labels.length;
  }

  public int label(int i) {
    return labels[i] & 0xFF;
  }

  /** The labels as ints, (N). */
  public int[] labelsAsInt() {
    int[] out = new int[labels.length];
    for (int i = 0; i < out.length; i++) out[i] = labels[i] & 0xFF;
    return out;
  }
}
