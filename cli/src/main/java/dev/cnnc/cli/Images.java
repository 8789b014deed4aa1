// Reads a PNG or JPEG of any size and turns it into one 32×32 CIFAR-style image: RGB bytes,
// (C, H, W), resampled with area averaging when shrinking and bilinear interpolation when growing.
package dev.cnnc.cli;

import dev.cnnc.runtime.data.Dataset;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

final class Images {
  static {
    System.setProperty("java.awt.headless", "true"); // no display needed, none is usually there
  }

  private Images() {}

  /**
   * {@code file} as (3, 32, 32) bytes. Alpha is dropped, as PIL's {@code convert("RGB")} does;
   * anything unreadable is a one-line error naming the file.
   */
  static byte[] read32(Path file) {
    if (!Files.isRegularFile(file)) throw new Main.UserError(Main.FAILED, "cannot read image " + file + ": no such file");
    BufferedImage img;
    try {
      img = ImageIO.read(file.toFile());
    } catch (IOException | RuntimeException e) {
      throw new Main.UserError(Main.FAILED, "cannot read image " + file + ": " + (e.getMessage() == null
          ? e.getClass().getSimpleName() : e.getMessage()) + " (is it a damaged or unusual PNG/JPEG?)");
    }
    if (img == null) {
      throw new Main.UserError(Main.FAILED, "cannot read image " + file + ": not a PNG or JPEG image");
    }
    return resize(img, Dataset.HEIGHT, Dataset.WIDTH);
  }

  /** (3, h, w) bytes of {@code img} resampled to h × w; separable, so each axis is handled on its own. */
  static byte[] resize(BufferedImage img, int h, int w) {
    int inH = img.getHeight();
    int inW = img.getWidth();
    int[] argb = img.getRGB(0, 0, inW, inH, null, 0, inW); // (inH, inW), converted to sRGB
    Weights wx = weights(inW, w);
    Weights wy = weights(inH, h);
    float[] rows = new float[3 * inH * w]; // (3, inH, w): each row resampled horizontally
    for (int y = 0; y < inH; y++) {
      for (int ox = 0; ox < w; ox++) {
        float r = 0, g = 0, b = 0;
        float[] k = wx.k[ox];
        for (int x = wx.from[ox]; x < wx.to[ox]; x++) {
          int p = argb[y * inW + x];
          r += k[x] * ((p >> 16) & 0xFF);
          g += k[x] * ((p >> 8) & 0xFF);
          b += k[x] * (p & 0xFF);
        }
        rows[(0 * inH + y) * w + ox] = r;
        rows[(1 * inH + y) * w + ox] = g;
        rows[(2 * inH + y) * w + ox] = b;
      }
    }
    byte[] out = new byte[3 * h * w]; // (3, h, w)
    for (int c = 0; c < 3; c++) {
      for (int oy = 0; oy < h; oy++) {
        float[] k = wy.k[oy];
        for (int ox = 0; ox < w; ox++) {
          float v = 0;
          for (int y = wy.from[oy]; y < wy.to[oy]; y++) v += k[y] * rows[(c * inH + y) * w + ox];
          out[(c * h + oy) * w + ox] = (byte) Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
    return out;
  }

  /** k (out, in): weight of input i in output o; only k[o][from[o] .. to[o]) can be non-zero. */
  record Weights(float[][] k, int[] from, int[] to) {}

  /**
   * (out, in) resampling weights along one axis, each row summing to 1. Shrinking averages the
   * input pixels each output pixel covers, weighted by overlap (area, like PIL's BOX / OpenCV's
   * INTER_AREA); growing interpolates between the two nearest centres (bilinear, half-pixel
   * centres as in PIL and torch with align_corners=False).
   */
  static Weights weights(int in, int out) {
    float[][] k = new float[out][in];
    int[] from = new int[out];
    int[] to = new int[out];
    double scale = (double) in / out;
    for (int o = 0; o < out; o++) {
      if (in >= out) {
        double lo = o * scale, hi = (o + 1) * scale;
        from[o] = (int) Math.floor(lo);
        to[o] = Math.min(in, (int) Math.ceil(hi));
        for (int i = from[o]; i < to[o]; i++) k[o][i] = (float) ((Math.min(hi, i + 1) - Math.max(lo, i)) / scale);
      } else {
        double src = Math.max(0, Math.min(in - 1, (o + 0.5) * scale - 0.5));
        int i0 = (int) Math.floor(src);
        int i1 = Math.min(i0 + 1, in - 1);
        double f = src - i0;
        k[o][i0] += (float) (1 - f);
        k[o][i1] += (float) f;
        from[o] = i0;
        to[o] = i1 + 1;
      }
    }
    return new Weights(k, from, to);
  }
}
