// Training and inference images/s of a network on the GPU, measured as a training loop runs it:
// shared by `cnnc bench --backend cuda` and the device check, so the check times what users run.
package dev.cnnc.runtime.cuda;

import dev.cnnc.runtime.optim.Optimizer;
import dev.cnnc.runtime.optim.OptimizerConfig;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Measures {@link CudaModel}s on synthetic batches: each training step is {@code trainStep} and an SGD step. */
public final class CudaSpeed {
  /** Distinct synthetic batches cycled through, so no step reuses the previous one's input. */
  static final int BATCHES = 8;

  private final CudaModel model;
  private final int batch;
  private final float[][] xs = new float[BATCHES][];
  private final int[][] ys = new int[BATCHES][];
  private Optimizer sgd;
  private final float[] logits;
  private long steps;

  /**
   * Readies {@code model} (initialised here from seed 1) for batches of {@code batch} images, kept
   * in host memory and copied in each step as the Trainer's are. The first {@link #train} makes
   * the model's SGD optimizer (lr 0.01, momentum 0.9) on the GPU.
   */
  public CudaSpeed(CudaModel model, int batch) {
    if (batch < 1 || batch > model.maxBatch()) {
      throw new IllegalArgumentException("batch " + batch + " is outside 1.." + model.maxBatch());
    }
    this.model = model;
    this.batch = batch;
    int size = model.program().inputSize();
    SplittableRandom random = new SplittableRandom(7);
    for (int b = 0; b < BATCHES; b++) {
      xs[b] = new float[batch * size];
      for (int i = 0; i < xs[b].length; i++) xs[b][i] = (float) random.nextGaussian();
      ys[b] = new int[batch];
      for (int i = 0; i < batch; i++) ys[b][i] = random.nextInt(model.classes());
    }
    model.initialize(1);
    logits = new float[batch * model.classes()];
  }

  /**
   * Training images/s over {@code count} steps: each uploads a batch, runs the step, reads the
   * loss back (as the Trainer does every step) and applies SGD; the GPU is drained before the
   * clock stops.
   */
  public double train(int count) {
    if (sgd == null) sgd = model.createOptimizer(OptimizerConfig.sgd(0.01, 0.9));
    long t0 = System.nanoTime();
    for (int s = 0; s < count; s++, steps++) {
      int b = (int) (steps % BATCHES);
      model.trainStep(xs[b], ys[b], batch, 0f, steps);
      sgd.step(null, null, 0.01);
    }
    model.device().synchronize();
    return (double) count * batch / ((System.nanoTime() - t0) / 1e9);
  }

  /** Inference images/s over {@code count} batches, the logits copied back each time. */
  public double infer(int count) {
    long t0 = System.nanoTime();
    for (int s = 0; s < count; s++) model.infer(xs[s % BATCHES], batch, logits);
    return (double) count * batch / ((System.nanoTime() - t0) / 1e9);
  }

  /** Steps that take about {@code seconds}, from the pace of {@code rate} images/s (at least 3). */
  public int stepsFor(double seconds, double rate) {
    return (int) Math.max(3, Math.min(1_000_000, Math.round(seconds * rate / batch)));
  }

  /** The median of {@code runs}. */
  public static double median(double[] runs) {
    double[] s = runs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
