// Checks normalisation values and that the fused crop/flip matches a plain pad-then-crop-then-flip reference.
package dev.cnnc.runtime.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.cnnc.runtime.TestData;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NormalizerAugmentTest {
  static final int IMG = Dataset.IMAGE_SIZE;

  static Dataset random(int n, long seed) {
    byte[] images = new byte[n * IMG];
    byte[] labels = new byte[n];
    Random r = new Random(seed);
    r.nextBytes(images);
    for (int i = 0; i < n; i++) labels[i] = (byte) r.nextInt(10);
    return new Dataset(images, labels, FakeCifar.NAMES);
  }

  @Test
  void valueIsScaledThenStandardised() {
    Normalizer n = new Normalizer(new float[] {0.5f, 0.25f, 0f}, new float[] {0.5f, 0.25f, 2f});
    assertEquals(-1f, n.value(0, 0), 1e-6);
    assertEquals(1f, n.value(0, 255), 1e-6);
    assertEquals((51 / 255.0 - 0.25) / 0.25, n.value(1, 51), 1e-6);
    assertEquals(0.5f, n.value(2, 255), 1e-6);
  }

  @Test
  void normalizeWritesChannelPlanesInOrder() {
    Dataset d = random(2, 1);
    float[] out = new float[IMG + 5];
    Normalizer.CIFAR10.normalize(d.images(), 1, out, 5);
    for (int p : new int[] {0, 1023, 1024, 2047, 2048, 3071}) {
      int c = p / 1024;
      assertEquals(Normalizer.CIFAR10.value(c, d.images()[IMG + p] & 0xFF), out[5 + p], "pixel " + p);
    }
  }

  @Test
  void statisticsOfAKnownDataset() {
    byte[] images = new byte[2 * IMG];
    for (int i = 0; i < 2; i++) {
      for (int p = 0; p < 1024; p++) {
        images[i * IMG + p] = (byte) (p % 2 == 0 ? 0 : 255); // channel 0: 0 and 1, half each
        images[i * IMG + 1024 + p] = (byte) 51; // channel 1: constant 0.2
        images[i * IMG + 2048 + p] = (byte) (i == 0 ? 0 : 102); // channel 2: 0 and 0.4
      }
    }
    Normalizer n = Normalizer.fromDataset(new Dataset(images, new byte[2], FakeCifar.NAMES));
    assertArrayEquals(new float[] {0.5f, 0.2f, 0.2f}, n.mean(), 1e-6f);
    assertArrayEquals(new float[] {0.5f, 1f, 0.2f}, n.std(), 1e-6f);
  }

  @Test
  void realDataStatisticsAreNearTheStandardConstants() {
    Normalizer n = Normalizer.fromDataset(Cifar10.loadTrain(TestData.cifar10(), 5000));
    assertArrayEquals(Normalizer.CIFAR10.mean(), n.mean(), 0.02f, n.toString());
    assertArrayEquals(Normalizer.CIFAR10.std(), n.std(), 0.02f, n.toString());
  }

  @Test
  void noAugmentationIsPlainNormalisation() {
    Dataset d = random(1, 2);
    float[] a = new float[IMG], b = new float[IMG];
    new Augment(0, false).apply(d.images(), 0, Normalizer.CIFAR10, 12345L, a, 0);
    Normalizer.CIFAR10.normalize(d.images(), 0, b, 0);
    assertArrayEquals(b, a);
  }

  @Test
  void fusedCropAndFlipMatchPaddedReference() {
    Dataset d = random(3, 3);
    Augment aug = new Augment(4, true);
    float[] got = new float[IMG];
    Random r = new Random(4);
    for (int trial = 0; trial < 200; trial++) {
      long bits = r.nextLong();
      int image = trial % 3;
      aug.apply(d.images(), image, Normalizer.CIFAR10, bits, got, 0);
      float[] want = reference(d.images(), image, 4, aug.offsetY(bits), aug.offsetX(bits),
          aug.flips(bits));
      assertArrayEquals(want, got, "bits " + bits);
    }
  }

  @Test
  void offsetsCoverTheWholeRangeAndHalfTheImagesFlip() {
    Augment aug = new Augment(2, true);
    int[] ys = new int[5], xs = new int[5];
    int flips = 0;
    for (int i = 0; i < 5000; i++) {
      long bits = Augment.bits(7, 0, i);
      ys[aug.offsetY(bits)]++;
      xs[aug.offsetX(bits)]++;
      if (aug.flips(bits)) flips++;
    }
    for (int k = 0; k < 5; k++) {
      assertTrue(ys[k] > 800 && xs[k] > 800, "offset " + k + ": " + ys[k] + ", " + xs[k]);
    }
    assertTrue(flips > 2300 && flips < 2700, "flips " + flips);
    assertFalse(new Augment(2, false).flips(-1L), "flip disabled");
  }

  @Test
  void bitsDependOnSeedEpochAndPosition() {
    long b = Augment.bits(1, 2, 3);
    assertEquals(b, Augment.bits(1, 2, 3));
    for (long other : List.of(Augment.bits(2, 2, 3), Augment.bits(1, 3, 3), Augment.bits(1, 2, 4))) {
      assertNotEquals(b, other);
    }
  }

  /** Pads with black to (C, 32+2p, 32+2p), crops 32×32 at (dy, dx), then mirrors if asked. */
  static float[] reference(byte[] images, int image, int pad, int dy, int dx, boolean flip) {
    int s = 32 + 2 * pad;
    int[] padded = new int[3 * s * s]; // zeros = black
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          padded[(c * s + y + pad) * s + x + pad] = images[image * IMG + (c * 32 + y) * 32 + x] & 0xFF;
        }
      }
    }
    float[] out = new float[IMG];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          int v = padded[(c * s + y + dy) * s + x + dx];
          int ox = flip ? 31 - x : x;
          out[(c * 32 + y) * 32 + ox] = Normalizer.CIFAR10.value(c, v);
        }
      }
    }
    return out;
  }
}
