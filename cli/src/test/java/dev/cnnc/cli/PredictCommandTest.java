// `cnnc predict` input handling and the resampling behind it; the trained round trip lives in TrainCommandTest.
package dev.cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictCommandTest {
  @TempDir Path tmp;

  @Test
  void unreadableImagesAreNamed() throws IOException {
    Path spec = Cli.tinySpec(tmp, "");
    Path text = tmp.resolve("notes.png");
    Files.writeString(text, "this is not an image");
    Cli.Result r = Cli.run("predict", spec.toString(), "--weights", tmp.resolve("w.safetensors").toString(), text.toString());
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("cannot read image " + text + ": not a PNG or JPEG image"), r.err());

    Path missing = tmp.resolve("missing.jpg");
    r = Cli.run("predict", spec.toString(), "--weights", tmp.resolve("w.safetensors").toString(), missing.toString());
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("cannot read image " + missing + ": no such file"), r.err());
  }

  @Test
  void missingOrForeignWeightsAreNamed() throws IOException {
    Path spec = Cli.tinySpec(tmp, "");
    Path png = tmp.resolve("a.png");
    ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
    Cli.Result r = Cli.run("predict", spec.toString(), "--weights", tmp.resolve("w.safetensors").toString(), png.toString());
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("w.safetensors"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  @Test
  void resamplingWeightsSumToOne() {
    for (int[] io : new int[][] {{32, 32}, {100, 32}, {33, 32}, {7, 32}, {1, 32}, {500, 32}}) {
      Images.Weights w = Images.weights(io[0], io[1]);
      for (int o = 0; o < io[1]; o++) {
        double sum = 0;
        for (float k : w.k()[o]) sum += k;
        assertEquals(1, sum, 1e-5, io[0] + "→" + io[1] + " row " + o);
      }
    }
  }

  @Test
  void sameSizeIsIdentityAndShrinkingAveragesBlocks() {
    BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) img.setRGB(x, y, ((x + y) % 2 == 0) ? 0xC86400 : 0x3264FF); // checkerboard
    }
    byte[] small = Images.resize(img, 32, 32);
    assertEquals((200 + 50) / 2, small[0] & 0xFF);                // red plane
    assertEquals(100, small[1024] & 0xFF);                         // green plane
    assertEquals((0 + 255 + 1) / 2, small[2048 + 31 * 32 + 31] & 0xFF); // blue plane, rounded

    BufferedImage exact = TestImages.image(randomImage(), 0, 1);
    BufferedImage doubled = TestImages.image(randomImage(), 0, 2);
    assertArrayEquals(randomImage(), Images.resize(exact, 32, 32));
    assertArrayEquals(randomImage(), Images.resize(doubled, 32, 32));
  }

  @Test
  void growingInterpolatesBetweenNeighbours() {
    BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, 0x000000);
    img.setRGB(1, 0, 0xFFFFFF);
    byte[] big = Images.resize(img, 32, 32);
    int prev = -1;
    for (int x = 0; x < 32; x++) {
      int v = big[x] & 0xFF;
      assertTrue(v >= prev, "monotone left to right");
      prev = v;
    }
    assertEquals(0, big[0] & 0xFF);
    assertEquals(255, big[31] & 0xFF);
  }

  private static byte[] randomImage() {
    byte[] px = new byte[3 * 32 * 32];
    new java.util.Random(5).nextBytes(px);
    return px;
  }
}
