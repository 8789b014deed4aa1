// Everything a training run needs to know besides the network and the data, with sensible defaults.
package dev.cnnc.runtime.train;

import dev.cnnc.runtime.optim.OptimizerConfig;
import dev.cnnc.runtime.optim.Schedule;
import java.nio.file.Path;

/**
 * @param epochs total epochs of the run (a resumed run counts the ones already done)
 * @param batch images per training step
 * @param optimizer optimizer and its base learning rate
 * @param schedule how the learning rate moves over the run's steps
 * @param labelSmoothing epsilon of label smoothing, 0 for plain cross-entropy
 * @param cropPad zero padding for random 32×32 crops, 0 for no crop
 * @param flip random horizontal flips
 * @param seed seeds initialisation-independent randomness: data order, augmentation, dropout
 * @param limit training images to use, from the start of the set; 0 for all
 * @param testLimit test images to evaluate on; 0 for all
 * @param threads CPU threads the backend may use (the loop itself uses one helper thread)
 * @param out folder for metrics, checkpoints and curves
 * @param resume continue from the checkpoint in {@code out}
 */
public record TrainConfig(int epochs, int batch, OptimizerConfig optimizer, Schedule schedule,
    double labelSmoothing, int cropPad, boolean flip, long seed, int limit, int testLimit,
    int threads, Path out, boolean resume) {
  public TrainConfig {
    check(epochs >= 1, "epochs must be ≥ 1, got " + epochs);
    check(batch >= 1, "batch must be ≥ 1, got " + batch);
    check(optimizer != null && schedule != null && out != null, "optimizer, schedule and out are required");
    check(labelSmoothing >= 0 && labelSmoothing < 1, "label smoothing must be in [0, 1), got " + labelSmoothing);
    check(cropPad >= 0 && cropPad < 32, "crop padding must be in [0, 32), got " + cropPad);
    check(limit >= 0 && testLimit >= 0, "limits must be ≥ 0");
    check(threads >= 1, "threads must be ≥ 1, got " + threads);
  }

  /** 10 epochs, batch 64, SGD lr 0.01 momentum 0.9, constant rate, no augmentation, seed 0, out/. */
  public static TrainConfig defaults() {
    return new TrainConfig(10, 64, OptimizerConfig.sgd(0.01, 0.9), Schedule.constant(), 0, 0, false,
        0, 0, 0, Runtime.getRuntime().availableProcessors(), Path.of("out"), false);
  }

  public TrainConfig withEpochs(int v) {
    return new TrainConfig(v, batch, optimizer, schedule, labelSmoothing, cropPad, flip, seed, limit, testLimit, threads, out, resume);
  }

  public TrainConfig withBatch(int v) {
    return new TrainConfig(epochs, v, optimizer, schedule, labelSmoothing, cropPad, flip, seed, limit, testLimit, threads, out, resume);
  }

  public TrainConfig withOptimizer(OptimizerConfig v) {
    return new TrainConfig(epochs, batch, v, schedule, labelSmoothing, cropPad, flip, seed, limit, testLimit, threads, out, resume);
  }

  public TrainConfig withSchedule(Schedule v) {
    return new TrainConfig(epochs, batch, optimizer, v, labelSmoothing, cropPad, flip, seed, limit, testLimit, threads, out, resume);
  }

  public TrainConfig withLabelSmoothing(double v) {
    return new TrainConfig(epochs, batch, optimizer, schedule, v, cropPad, flip, seed, limit, testLimit, threads, out, resume);
  }

  /** Random crops after {@code pad} pixels of zero padding (0: none) and optional flips. */
  public TrainConfig withAugment(int pad, boolean flips) {
    return new TrainConfig(epochs, batch, optimizer, schedule, labelSmoothing, pad, flips, seed, limit, testLimit, threads, out, resume);
  }

  public TrainConfig withSeed(long v) {
    return new TrainConfig(epochs, batch, optimizer, schedule, labelSmoothing, cropPad, flip, v, limit, testLimit, threads, out, resume);
  }

  public TrainConfig withLimit(int v) {
    return new TrainConfig(epochs, batch, optimizer, schedule, labelSmoothing, cropPad, flip, seed, v, testLimit, threads, out, resume);
  }

  public TrainConfig withTestLimit(int v) {
    return new TrainConfig(epochs, batch, optimizer, schedule, labelSmoothing, cropPad, flip, seed, limit, v, threads, out, resume);
  }

  public TrainConfig withThreads(int v) {
    return new TrainConfig(epochs, batch, optimizer, schedule, labelSmoothing, cropPad, flip, seed, limit, testLimit, v, out, resume);
  }

  public TrainConfig withOut(Path v) {
    return new TrainConfig(epochs, batch, optimizer, schedule, labelSmoothing, cropPad, flip, seed, limit, testLimit, threads, v, resume);
  }

  public TrainConfig withResume(boolean v) {
    return new TrainConfig(epochs, batch, optimizer, schedule, labelSmoothing, cropPad, flip, seed, limit, testLimit, threads, out, v);
  }

  private static void check(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
