// Turns pixel bytes into per-channel normalised floats: (v / 255 - mean[c]) / std[c].
package dev.cnnc.runtime.data;

import java.util.Arrays;

/**
 * Per-channel mean/std normalisation, as torchvision's {@code ToTensor} then {@code Normalize}.
 * Each channel's 256 possible results are precomputed, so normalising is one table look-up a pixel.
 */
public final class Normalizer {
  /** The usual CIFAR-10 training-set statistics (of the original data, in [0, 1] units). */
  public static final Normalizer CIFAR10 = new Normalizer(
      new float[] {0.4914f, 0.4822f, 0.4465f}, new float[] {0.2470f, 0.2435f, 0.2616f});

  private final float[] mean; // (C)
  private final float[] std; // (C)
  /** (C, 256): the normalised value of each byte in each channel. */
  final float[] table;

  public Normalizer(float[] mean, float[] std) {
    if (mean.length != Dataset.CHANNELS || std.length != Dataset.CHANNELS) {
      throw new IllegalArgumentException("need " + Dataset.CHANNELS + " means and stds, got "
          + mean.length + " and " + std.length);
    }
    this.mean = mean.clone();
    this.std = std.clone();
    this.table = new float[Dataset.CHANNELS * 256];
    for (int c = 0; c < Dataset.CHANNELS; c++) {
      if (!(std[c] > 0)) throw new IllegalArgumentException("std of channel " + c + " is " + std[c]);
      for (int v = 0; v < 256; v++) table[c * 256 + v] = (v / 255f - mean[c]) / std[c];
    }
  }

  /**
   * Mean and (population) standard deviation of each channel over every pixel of {@code d}. A
   * constant channel gets std 1 (it carries no information; dividing by 0 would make it NaN).
   */
  public static Normalizer fromDataset(Dataset d) {
    int plane = Dataset.HEIGHT * Dataset.WIDTH;
    long[] sum = new long[Dataset.CHANNELS];
    long[] sumSq = new long[Dataset.CHANNELS];
    byte[] px = d.images();
    for (int i = 0; i < d.size(); i++) {
      for (int c = 0; c < Dataset.CHANNELS; c++) {
        int base = (i * Dataset.CHANNELS + c) * plane;
        long s = 0, s2 = 0;
        for (int p = 0; p < plane; p++) {
          int v = px[base + p] & 0xFF;
          s += v;
          s2 += v * v;
        }
        sum[c] += s;
        sumSq[c] += s2;
      }
    }
    float[] mean = new float[Dataset.CHANNELS];
    float[] std = new float[Dataset.CHANNELS];
    double count = (double) d.size() * plane;
    for (int c = 0; c < Dataset.CHANNELS; c++) {
      double m = sum[c] / count / 255;
      double var = sumSq[c] / count / (255.0 * 255.0) - m * m;
      mean[c] = (float) m;
      std[c] = var > 0 ? (float) Math.sqrt(var) : 1f;
    }
    return new Normalizer(mean, std);
  }

  public float[] mean() {
    return mean.clone();
  }

  public float[] std() {
    return std.clone();
  }

  /** The normalised value of byte {@code v} (0..255) in channel {@code c}. */
  public float value(int c, int v) {
    return table[c * 256 + v];
  }

  /** Normalises image {@code image} of {@code images} into {@code dst[dstOffset ..]}, (C, H, W). */
  public void normalize(byte[] images, int image, float[] dst, int dstOffset) {
    int plane = Dataset.HEIGHT * Dataset.WIDTH;
    int src = image * Dataset.IMAGE_SIZE;
    for (int c = 0; c < Dataset.CHANNELS; c++) {
      int t = c * 256;
      for (int p = 0; p < plane; p++, src++) dst[dstOffset++] = table[t + (images[src] & 0xFF)];
    }
  }

  @Override
  public String toString() {
    return "Normalizer[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
  }
}
