// Checks batch order, contents, determinism under timing changes, the short last batch and early stops.
package dev.cnnc.runtime.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {
  static final int IMG = Dataset.IMAGE_SIZE;
  final Dataset data = NormalizerAugmentTest.random(10, 5);
  final Augment aug = new Augment(4, true);

  @Test
  void epochIsAPermutationWithAShortLastBatchAndMatchingContents() {
    try (BatchLoader loader = BatchLoader.training(data, 4, Normalizer.CIFAR10, aug, 11)) {
      assertEquals(3, loader.batchesPerEpoch());
      int[] order = loader.order(2);
      assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted(order));
      float[] want = new float[IMG];
      List<Integer> sizes = new ArrayList<>();
      BatchLoader.Epoch epoch = loader.epoch(2);
      for (BatchLoader.Batch b; (b = epoch.next()) != null; ) {
        sizes.add(b.n());
        for (int i = 0; i < b.n(); i++) {
          int position = b.index() * 4 + i;
          int image = order[position];
          assertEquals(data.label(image), b.labels[i]);
          aug.apply(data.images(), image, Normalizer.CIFAR10, Augment.bits(11, 2, position), want, 0);
          assertArrayEquals(want, Arrays.copyOfRange(b.x, i * IMG, (i + 1) * IMG), "position " + position);
        }
      }
      assertEquals(List.of(4, 4, 2), sizes);
      assertNull(epoch.next(), "stays finished");
    }
  }

  @Test
  void aLastBatchOfOneBorrowsAnImageOrIsLeftOutWhenTheMinimumIsTwo() {
    assertEquals(List.of(3, 3, 3, 1), served(data, 3, 1));
    assertEquals(List.of(3, 3, 2, 2), served(data, 3, 2), "the batch before gives the last one an image");
    assertEquals(List.of(2, 2, 2, 2), served(NormalizerAugmentTest.random(9, 5), 2, 2), "nothing to spare at batch 2");
    assertEquals(List.of(4, 4, 2), served(data, 4, 2), "a last batch of two is left alone");
    assertEquals(List.of(2), served(NormalizerAugmentTest.random(2, 5), 8, 2));
    DataException e = assertThrows(DataException.class,
        () -> BatchLoader.training(NormalizerAugmentTest.random(1, 5), 8, 2, Normalizer.CIFAR10, aug, 1));
    assertEquals("a batch needs 2 images, the data set has 1", e.getMessage());
  }

  /**
   * The batch sizes of one epoch, after checking that they serve the epoch's order from its start,
   * each image with its own label and augmentation, and that the loader's counts agree.
   */
  private List<Integer> served(Dataset d, int batch, int minBatch) {
    try (BatchLoader loader = BatchLoader.training(d, batch, minBatch, Normalizer.CIFAR10, aug, 5)) {
      int[] order = loader.order(1);
      List<Integer> sizes = new ArrayList<>();
      float[] want = new float[IMG];
      int position = 0;
      BatchLoader.Epoch epoch = loader.epoch(1);
      for (BatchLoader.Batch b; (b = epoch.next()) != null; ) {
        assertEquals(sizes.size(), b.index());
        for (int i = 0; i < b.n(); i++, position++) {
          assertEquals(d.label(order[position]), b.labels[i]);
          aug.apply(d.images(), order[position], Normalizer.CIFAR10, Augment.bits(5, 1, position), want, 0);
          assertArrayEquals(want, Arrays.copyOfRange(b.x, i * IMG, (i + 1) * IMG), "position " + position);
        }
        sizes.add(b.n());
      }
      assertEquals(sizes.size(), loader.batchesPerEpoch());
      assertEquals(position, loader.imagesPerEpoch());
      return sizes;
    }
  }

  @Test
  void orderDependsOnSeedAndEpochOnly() {
    try (BatchLoader a = BatchLoader.training(data, 4, Normalizer.CIFAR10, aug, 1);
        BatchLoader b = BatchLoader.training(data, 3, Normalizer.CIFAR10, aug, 1);
        BatchLoader c = BatchLoader.training(data, 4, Normalizer.CIFAR10, aug, 2)) {
      assertArrayEquals(a.order(5), b.order(5));
      assertFalse(Arrays.equals(a.order(5), a.order(6)));
      assertFalse(Arrays.equals(a.order(5), c.order(5)));
    }
  }

  @Test
  void batchesAreIdenticalWhateverTheTimingAndWhereARunStarts() throws Exception {
    List<float[]> straight = new ArrayList<>();
    try (BatchLoader loader = BatchLoader.training(data, 3, Normalizer.CIFAR10, aug, 9)) {
      for (int e = 0; e < 3; e++) straight.addAll(collect(loader.epoch(e), null));
    }
    List<float[]> resumed = new ArrayList<>();
    try (BatchLoader loader = BatchLoader.training(data, 3, Normalizer.CIFAR10, aug, 9)) {
      resumed.addAll(collect(loader.epoch(2), new Random(3))); // slow consumer, starts at epoch 2
    }
    List<float[]> lastEpoch = straight.subList(8, 12);
    assertEquals(lastEpoch.size(), resumed.size());
    for (int i = 0; i < resumed.size(); i++) assertArrayEquals(lastEpoch.get(i), resumed.get(i));
  }

  @Test
  void evaluationKeepsDataOrderWithoutAugmentation() {
    try (BatchLoader loader = BatchLoader.evaluation(data, 4, Normalizer.CIFAR10)) {
      BatchLoader.Epoch epoch = loader.epoch(0);
      float[] want = new float[IMG];
      int seen = 0;
      for (BatchLoader.Batch b; (b = epoch.next()) != null; ) {
        for (int i = 0; i < b.n(); i++, seen++) {
          Normalizer.CIFAR10.normalize(data.images(), seen, want, 0);
          assertArrayEquals(want, Arrays.copyOfRange(b.x, i * IMG, (i + 1) * IMG));
          assertEquals(data.label(seen), b.labels[i]);
        }
      }
      assertEquals(10, seen);
    }
  }

  @Test
  void stoppingAnEpochEarlyLetsTheNextOneRun() {
    try (BatchLoader loader = BatchLoader.training(data, 2, Normalizer.CIFAR10, aug, 1)) {
      BatchLoader.Epoch first = loader.epoch(0);
      assertNotNull(first.next());
      first.close();
      assertNull(first.next());
      int batches = 0;
      for (BatchLoader.Epoch e = loader.epoch(1); e.next() != null; ) batches++;
      assertEquals(5, batches);
    }
  }

  /** Copies every batch of an epoch; with a random source, sleeps between batches to vary timing. */
  private static List<float[]> collect(BatchLoader.Epoch epoch, Random sleeps) throws InterruptedException {
    List<float[]> out = new ArrayList<>();
    for (BatchLoader.Batch b; (b = epoch.next()) != null; ) {
      if (sleeps != null) Thread.sleep(sleeps.nextInt(5));
      out.add(Arrays.copyOf(b.x, b.n() * IMG));
    }
    return out;
  }

  private static int[] sorted(int[] a) {
    int[] s = a.clone();
    Arrays.sort(s);
    return s;
  }
}
