// Training-time augmentation: random crop after zero padding, and random horizontal flip.
package dev.cnnc.runtime.data;

/**
 * torchvision's {@code RandomCrop(32, padding=pad)} then {@code RandomHorizontalFlip()}, fused with
 * normalisation: the padding is black pixels (byte 0, as torchvision pads the image before
 * {@code Normalize}). The random choices of one image come from 64 bits that the caller derives
 * from (seed, epoch, position) with {@link #bits}, so a batch does not depend on which thread made
 * it or when. Nothing is allocated per image.
 */
public final class Augment {
  public static final Augment NONE = new Augment(0, false);

  private final int pad;
  private final boolean flip;

  /** @param pad zero padding on each side before the 32×32 crop (0: no crop) */
  public Augment(int pad, boolean flip) {
    if (pad < 0 || pad >= Dataset.HEIGHT) throw new IllegalArgumentException("crop padding " + pad);
    this.pad = pad;
    this.flip = flip;
  }

  public int pad() {
    return pad;
  }

  public boolean flip() {
    return flip;
  }

  public boolean isIdentity() {
    return pad == 0 && !flip;
  }

  /** The random bits for the image at {@code position} of {@code epoch}'s order. */
  public static long bits(long seed, int epoch, int position) {
    return mix(mix(seed * 0x9E3779B97F4A7C15L + epoch) + position);
  }

  /** SplitMix64's finaliser: consecutive inputs give independent-looking outputs. */
  public static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Vertical crop offset in [0, 2·pad] chosen by {@code bits}. */
  public int offsetY(long bits) {
    return (int) ((bits & 0xFFFFL) % (2 * pad + 1));
  }

  /** Horizontal crop offset in [0, 2·pad] chosen by {@code bits}. */
  public int offsetX(long bits) {
    return (int) (((bits >>> 16) & 0xFFFFL) % (2 * pad + 1));
  }

  /** Whether {@code bits} flip the image. */
  public boolean flips(long bits) {
    return flip && ((bits >>> 32) & 1) == 1;
  }

  /**
   * Writes image {@code image} of {@code images}, padded, cropped, maybe flipped and normalised,
   * into {@code dst[dstOffset ..]} as (C, H, W):
   * out[c][y][x] = src[c][y + dy - pad][x' + dx - pad] with x' = 31 - x when flipped, else x.
   */
  public void apply(byte[] images, int image, Normalizer norm, long bits, float[] dst, int dstOffset) {
    final int h = Dataset.HEIGHT, w = Dataset.WIDTH;
    int dy = offsetY(bits) - pad, dx = offsetX(bits) - pad;
    boolean mirror = flips(bits);
    float[] table = norm.table;
    for (int c = 0; c < Dataset.CHANNELS; c++) {
      int t = c * 256;
      float black = table[t];
      int plane = image * Dataset.IMAGE_SIZE + c * h * w;
      for (int y = 0; y < h; y++) {
        int sy = y + dy;
        int out = dstOffset + (c * h + y) * w;
        if (sy < 0 || sy >= h) {
          for (int x = 0; x < w; x++) dst[out + x] = black;
          continue;
        }
        int row = plane + sy * w;
        for (int x = 0; x < w; x++) {
          int sx = (mirror ? w - 1 - x : x) + dx;
          dst[out + x] = sx < 0 || sx >= w ? black : table[t + (images[row + sx] & 0xFF)];
        }
      }
    }
  }
}
