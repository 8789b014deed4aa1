// What every generated CPU network extends: parameter storage, per-thread gradients, the thread
// pool and the loss. The generated subclass supplies the network's forward and backward kernels.
package dev.cnnc.runtime.cpu;

import dev.cnnc.runtime.Model;
import dev.cnnc.runtime.StepResult;
import dev.cnnc.runtime.TensorSpec;
import java.util.Arrays;
import java.util.List;

public abstract class CpuNetwork implements Model {
  private final String name;
  private final int[] inputShape;
  private final int classes;
  private final List<TensorSpec> parameters;
  private final List<TensorSpec> bufferSpecs;
  private final List<Init.Spec> inits;
  protected final int maxBatch;
  protected final Parallel parallel;
  /** All trainable parameters, flat. */
  protected final float[] params;
  /** Batch-norm running statistics, flat. */
  protected final float[] buffers;
  /** Gradients of the mean loss, reduced from {@link #partials} after each step. */
  protected final float[] gradients;
  /**
   * One gradient accumulator per thread: image-parallel kernels running as thread t add into
   * partials[t], and only the ranges in {@link #partialRanges} are cleared and summed each step.
   * Channel-parallel kernels write their parameters' gradients straight into {@link #gradients}.
   */
  protected final float[][] partials;
  /** (offset, length) pairs of the parameters whose gradients go through {@link #partials}. */
  private final int[] partialRanges;
  private final double[] lossStats = new double[2];
  /** The batch being processed: (N, C, H, W). */
  protected float[] input;
  /** Seeds this step's dropout masks. */
  protected long seed;
  /** Images in the current step. */
  protected int batch;
  /** Nanoseconds spent in each kernel since profiling started, or null when not profiling. */
  private long[] kernelNanos;

  protected CpuNetwork(String name, int[] inputShape, int classes, List<TensorSpec> parameters,
      List<TensorSpec> buffers, List<Init.Spec> inits, int[] partialRanges, int maxBatch, int threads) {
    if (maxBatch < 1) throw new IllegalArgumentException("the batch size must be at least 1, got " + maxBatch);
    this.name = name;
    this.inputShape = inputShape.clone();
    this.classes = classes;
    this.parameters = List.copyOf(parameters);
    this.bufferSpecs = List.copyOf(buffers);
    this.inits = List.copyOf(inits);
    this.partialRanges = partialRanges.clone();
    this.maxBatch = maxBatch;
    this.parallel = new Parallel(threads);
    this.params = new float[size(parameters)];
    this.buffers = new float[size(buffers)];
    this.gradients = new float[params.length];
    this.partials = new float[threads][];
    partials[0] = threads == 1 ? gradients : new float[params.length];
    for (int t = 1; t < threads; t++) partials[t] = new float[params.length];
  }

  private static int size(List<TensorSpec> specs) {
    long n = 0;
    for (TensorSpec s : specs) n = Math.max(n, (long) s.offset() + s.size());
    if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("the network has too many parameters for one array: " + n);
    return (int) n;
  }

  /** One launched kernel, for profiles: "train", "backward" or "infer", the layer, and its work. */
  public record Kernel(String phase, String layer, String describe, long flopsPerImage) {}

  /** Every kernel the generated class launches, indexed as in {@link #launch}. */
  public abstract List<Kernel> kernels();

  /** Starts (or stops, with false) timing every kernel launch; see {@link #kernelNanos()}. */
  public void profile(boolean on) {
    kernelNanos = on ? new long[kernels().size()] : null;
  }

  /** Time per kernel since {@code profile(true)}, indexed like {@link #kernels()}. */
  public long[] kernelNanos() {
    return kernelNanos == null ? new long[kernels().size()] : kernelNanos.clone();
  }

  /** Runs kernel {@code id} over [0, count) on the thread pool, timing it when profiling. */
  protected final void launch(int id, int count, Parallel.Kernel kernel) {
    long[] nanos = kernelNanos;
    if (nanos == null) {
      parallel.run(count, kernel);
      return;
    }
    long t0 = System.nanoTime();
    parallel.run(count, kernel);
    nanos[id] += System.nanoTime() - t0;
  }

  /** Sets every parameter and buffer to its PyTorch default initial value. */
  public void initialize(long seed) {
    Init.initialize(params, buffers, inits, seed);
  }

  /** Training-mode forward of {@code n} images from {@link #input}; leaves logits in {@link #trainLogits()}. */
  protected abstract void forwardTrain(int n);

  /** Backward from the gradient in {@link #trainLogitsGrad()}, accumulating into {@link #partials}. */
  protected abstract void backward(int n);

  /** Inference forward; leaves logits in {@link #inferLogits()}. */
  protected abstract void forwardInfer(int n);

  protected abstract float[] trainLogits();

  protected abstract float[] trainLogitsGrad();

  protected abstract float[] inferLogits();

  @Override
  public StepResult trainStep(float[] x, int[] labels, int n, float labelSmoothing, long seed) {
    checkBatch(x, n);
    if (labels.length < n) throw new IllegalArgumentException("expected " + n + " labels, got " + labels.length);
    this.input = x;
    this.seed = seed;
    this.batch = n;
    for (float[] p : partials) {
      for (int r = 0; r < partialRanges.length; r += 2) {
        Arrays.fill(p, partialRanges[r], partialRanges[r] + partialRanges[r + 1], 0f);
      }
    }
    forwardTrain(n);
    Loss.softmaxCrossEntropy(trainLogits(), n, classes, labels, labelSmoothing, trainLogitsGrad(), lossStats);
    backward(n);
    reduceGradients();
    return new StepResult(lossStats[0], (int) lossStats[1]);
  }

  @Override
  public void infer(float[] x, int n, float[] logits) {
    checkBatch(x, n);
    this.input = x;
    this.batch = n;
    forwardInfer(n);
    System.arraycopy(inferLogits(), 0, logits, 0, n * classes);
  }

  private void reduceGradients() {
    if (partials.length == 1) return;
    int threads = partials.length;
    for (int r = 0; r < partialRanges.length; r += 2) {
      int from = partialRanges[r];
      parallel.run(partialRanges[r + 1], (t, lo, hi) -> {
        for (int i = from + lo; i < from + hi; i++) {
          float s = 0;
          for (int p = 0; p < threads; p++) s += partials[p][i];
          gradients[i] = s;
        }
      });
    }
  }

  private void checkBatch(float[] x, int n) {
    if (n < 1 || n > maxBatch) {
      throw new IllegalArgumentException("batch of " + n + " images; this network was built for 1 to " + maxBatch);
    }
    long need = (long) n * inputShape[0] * inputShape[1] * inputShape[2];
    if (x.length < need) throw new IllegalArgumentException("input holds " + x.length + " floats, a batch of " + n + " needs " + need);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int[] inputShape() {
    return inputShape.clone();
  }

  @Override
  public int classes() {
    return classes;
  }

  @Override
  public int maxBatch() {
    return maxBatch;
  }

  @Override
  public List<TensorSpec> parameters() {
    return parameters;
  }

  @Override
  public List<TensorSpec> buffers() {
    return bufferSpecs;
  }

  @Override
  public float[] parameterData() {
    return params;
  }

  @Override
  public float[] gradientData() {
    return gradients;
  }

  @Override
  public float[] bufferData() {
    return buffers;
  }

  public int threads() {
    return parallel.threads();
  }
}
