// Writes CIFAR-10 test images as PNG files (as-is, and enlarged 2× by pixel repetition) for predict tests.
package dev.cnnc.cli;

import dev.cnnc.runtime.data.Cifar10;
import dev.cnnc.runtime.data.Dataset;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

final class TestImages {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  private TestImages() {}

  /** dir/i.png and dir/ix2.png for the first n test images; returns their labels. */
  static List<Integer> writeTestPngs(Path data, int n, Path dir) throws IOException {
    Files.createDirectories(dir);
    Dataset test = Cifar10.loadTest(data, n);
    List<Integer> labels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ImageIO.write(image(test.images(), i, 1), "png", dir.resolve(i + ".png").toFile());
      ImageIO.write(image(test.images(), i, 2), "png", dir.resolve(i + "x2.png").toFile());
      labels.add(test.label(i));
    }
    return labels;
  }

  /** Image i of (N, 3, 32, 32) bytes, each pixel repeated scale × scale times. */
  static BufferedImage image(byte[] px, int i, int scale) {
    BufferedImage img = new BufferedImage(32 * scale, 32 * scale, BufferedImage.TYPE_INT_RGB);
    int base = i * Dataset.IMAGE_SIZE;
    for (int y = 0; y < 32 * scale; y++) {
      for (int x = 0; x < 32 * scale; x++) {
        int p = (y / scale) * 32 + x / scale;
        int r = px[base + p] & 0xFF, g = px[base + 1024 + p] & 0xFF, b = px[base + 2048 + p] & 0xFF;
        img.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return img;
  }
}
