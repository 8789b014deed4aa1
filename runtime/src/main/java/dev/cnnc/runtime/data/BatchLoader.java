// Feeds the training loop: shuffled, augmented, normalised batches, prepared on a background thread.
package dev.cnnc.runtime.data;

import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;

/**
 * Walks a data set one epoch at a time, in batches of (N, C, H, W) floats and (N) int labels.
 * While the caller computes on one batch, a background thread fills the other (double
 * buffering). The order of epoch {@code e} and each image's augmentation depend only on
 * (seed, e, position), so batches are the same whatever the timing and a run resumed at epoch
 * {@code e} sees exactly what an uninterrupted one would. The last batch may be smaller, but
 * never smaller than the minimum batch: a network whose batch norms see one value per channel
 * cannot train on one image, so a last batch of one borrows an image from the batch before it
 * (batch sizes B − 1 and 2), and at batch 2, where there is none to spare, is left out.
 */
public final class BatchLoader implements AutoCloseable {
  /** One prepared batch; valid until the next {@link Epoch#next()} call. */
  public static final class Batch {
    /** (capacity, C, H, W); the first {@link #n()} images are valid. */
    public final float[] x;
    /** (capacity); the first {@link #n()} labels are valid. */
    public final int[] labels;
    private int n;
    private int index;

    Batch(int capacity) {
      x = new float[capacity * Dataset.IMAGE_SIZE];
      labels = new int[capacity];
    }

    /** Images in this batch. */
    public int n() {
      return n;
    }

    /** Position of this batch in its epoch, from 0. */
    public int index() {
      return index;
    }
  }

  private static final Batch END = new Batch(0);

  private final Dataset data;
  private final int batchSize;
  private final int minBatch;
  private final Normalizer norm;
  private final Augment augment;
  private final boolean shuffle;
  private final long seed;
  private final Batch[] buffers;
  private Epoch current;

  private BatchLoader(Dataset data, int batchSize, int minBatch, Normalizer norm, Augment augment,
      boolean shuffle, long seed) {
    if (minBatch < 1 || minBatch > 2 || batchSize < minBatch) {
      throw new IllegalArgumentException("batch size " + batchSize + ", minimum " + minBatch);
    }
    if (data.size() == 0) throw new DataException("the data set is empty");
    if (data.size() < minBatch) throw new DataException("a batch needs " + minBatch + " images, the data set has 1");
    this.data = data;
    this.batchSize = batchSize;
    this.minBatch = minBatch;
    this.norm = norm;
    this.augment = augment;
    this.shuffle = shuffle;
    this.seed = seed;
    this.buffers = new Batch[] {new Batch(batchSize), new Batch(batchSize)};
  }

  /** Shuffled each epoch, augmented as {@code augment} says. */
  public static BatchLoader training(Dataset data, int batchSize, Normalizer norm, Augment augment,
      long seed) {
    return training(data, batchSize, 1, norm, augment, seed);
  }

  /** As above, with no batch smaller than {@code minBatch} (1 or 2, see {@link dev.cnnc.runtime.Model#minTrainBatch()}). */
  public static BatchLoader training(Dataset data, int batchSize, int minBatch, Normalizer norm, Augment augment,
      long seed) {
    return new BatchLoader(data, batchSize, minBatch, norm, augment, true, seed);
  }

  /** Data-set order, no augmentation: for evaluation. */
  public static BatchLoader evaluation(Dataset data, int batchSize, Normalizer norm) {
    return new BatchLoader(data, batchSize, 1, norm, Augment.NONE, false, 0);
  }

  public Dataset data() {
    return data;
  }

  public int batchSize() {
    return batchSize;
  }

  public int batchesPerEpoch() {
    int full = data.size() / batchSize;
    return lastBatch() == LastBatch.DROPPED || data.size() % batchSize == 0 ? full : full + 1;
  }

  /** Images served each epoch: all of them, unless a last image had to be left out (see above). */
  public int imagesPerEpoch() {
    return start(batchesPerEpoch());
  }

  /** What becomes of a last batch smaller than the minimum. */
  private enum LastBatch { FULL_OR_ENOUGH, BORROWS, DROPPED }

  private LastBatch lastBatch() {
    int rest = data.size() % batchSize;
    if (rest == 0 || rest >= minBatch) return LastBatch.FULL_OR_ENOUGH;
    return batchSize - (minBatch - rest) >= minBatch ? LastBatch.BORROWS : LastBatch.DROPPED;
  }

  /** Where batch {@code b} starts in the epoch's order; {@code b} may be one past the last batch. */
  private int start(int b) {
    int full = data.size() / batchSize;
    return switch (lastBatch()) {
      case FULL_OR_ENOUGH -> Math.min(b * batchSize, data.size());
      case DROPPED -> b * batchSize;
      case BORROWS -> b < full ? b * batchSize : b == full ? data.size() - minBatch : data.size();
    };
  }

  /** The image indices of {@code epoch} in the order they are served. */
  public int[] order(int epoch) {
    int[] order = new int[data.size()];
    for (int i = 0; i < order.length; i++) order[i] = i;
    if (!shuffle) return order;
    SplittableRandom rng = new SplittableRandom(Augment.mix(seed ^ Augment.mix(epoch)));
    for (int i = order.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** Starts producing the batches of {@code epoch}; ends any epoch still open. */
  public Epoch epoch(int epoch) {
    if (current != null) current.close();
    current = new Epoch(epoch);
    return current;
  }

  @Override
  public void close() {
    if (current != null) current.close();
    current = null;
  }

  /** One pass over the data; close it to stop early. */
  public final class Epoch implements AutoCloseable {
    private final int epoch;
    private final int[] order;
    private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(2);
    private final BlockingQueue<Batch> ready = new ArrayBlockingQueue<>(3);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread producer;
    private volatile Throwable failure;
    private Batch lent;
    private boolean done;

    private Epoch(int epoch) {
      this.epoch = epoch;
      this.order = order(epoch);
      free.add(buffers[0]);
      free.add(buffers[1]);
      producer = new Thread(this::produce, "cnnc-batches-epoch-" + epoch);
      producer.setDaemon(true);
      producer.start();
    }

    /** The next batch, or null after the last; the previous batch becomes invalid. */
    public Batch next() {
      if (done) return null;
      try {
        if (lent != null) free.put(lent);
        lent = null;
        Batch b = ready.take();
        if (b != END) return lent = b;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DataException("interrupted while waiting for a batch", e);
      }
      done = true;
      if (failure != null) throw new DataException("preparing a batch failed: " + failure, failure);
      return null;
    }

    @Override
    public void close() {
      producer.interrupt();
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      done = true;
    }

    private void produce() {
      try {
        int batches = batchesPerEpoch();
        for (int b = 0; b < batches; b++) {
          Batch buf = free.take();
          fill(buf, b);
          ready.put(buf);
        }
      } catch (InterruptedException e) {
        return; // closed early: nobody waits for the end marker
      } catch (Throwable t) {
        failure = t;
      } finally {
        ready.offer(END);
        stopped.countDown();
      }
    }

    private void fill(Batch buf, int b) {
      int start = start(b);
      int n = start(b + 1) - start;
      byte[] images = data.images();
      boolean plain = augment.isIdentity();
      for (int i = 0; i < n; i++) {
        int image = order[start + i];
        if (plain) {
          norm.normalize(images, image, buf.x, i * Dataset.IMAGE_SIZE);
        } else {
          long bits = Augment.bits(seed, epoch, start + i);
          augment.apply(images, image, norm, bits, buf.x, i * Dataset.IMAGE_SIZE);
        }
        buf.labels[i] = data.label(image);
      }
      buf.n = n;
      buf.index = b;
    }
  }
}
