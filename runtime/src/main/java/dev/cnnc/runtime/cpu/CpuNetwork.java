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
   * One gradient accumulator per chunk of the batch: image-parallel backward kernels add chunk c's
   * contribution into partials[c], whichever thread runs it, and only the ranges in
   * {@link #partialRanges} are summed (in chunk order) and cleared each step. The chunk count does
   * not depend on the thread count, so a run trains to the same bits on 1 thread or 8 (unless the
   * partials would pass {@link #PARTIALS_BYTES}, past 8M parameters in image-split kernels). With one
   * chunk (or no such kernel), partials[0] is {@link #gradients} itself. Channel-parallel kernels write their
   * parameters' gradients straight into {@link #gradients}.
   */
  protected final float[][] partials;
  /** How many chunks image-parallel kernels cut the batch into; see {@link #chunks(int, boolean, int)}. */
  private final int chunks;
  /** Whether some partial may hold more than zeros outside a step (a step that failed half-way). */
  private boolean partialsDirty;
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
    // a partial needs to reach only as far as the last range kernels add into (in SimpleCNN, the
    // convs' few thousand floats before fc1's four million)
    int reach = 0;
    for (int r = 0; r < partialRanges.length; r += 2) reach = Math.max(reach, partialRanges[r] + partialRanges[r + 1]);
    this.chunks = chunks(reach, partialRanges.length > 0, threads);
    this.partials = new float[partialRanges.length > 0 ? chunks : 1][];
    partials[0] = partials.length == 1 ? gradients : new float[reach];
    for (int c = 1; c < partials.length; c++) partials[c] = new float[reach];
  }

  /**
   * How many chunks a batch is cut into: {@link #CHUNKS} (or one per thread past that), so that 1
   * to 8 threads train to the same bits and a core slowed by a busy neighbour takes fewer chunks
   * (with 2 threads, 4 each on a quiet machine) — but no more partial gradient arrays than fit in
   * {@link #PARTIALS_BYTES}.
   */
  static int chunks(int reach, boolean anyPartials, int threads) {
    int wanted = Math.max(CHUNKS, threads);
    if (!anyPartials) return wanted;
    long fit = PARTIALS_BYTES / Math.max(1, 4L * reach);
    return (int) Math.max(threads, Math.min(wanted, fit));
  }

  /**
   * At most what the per-chunk gradient partials take when they reach this many floats into the
   * parameters (at most all of them; none when no kernel adds into partials).
   */
  public static long partialsBytes(long parameters, int threads) {
    if (parameters <= 0) return 0;
    int reach = (int) Math.min(parameters, Integer.MAX_VALUE);
    return 4L * reach * chunks(reach, true, threads);
  }

  static final int CHUNKS = 8;

  static final long PARTIALS_BYTES = 256L << 20;

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
      parallel.run(count, chunks, kernel);
      return;
    }
    long t0 = System.nanoTime();
    parallel.run(count, chunks, kernel);
    nanos[id] += System.nanoTime() - t0;
  }

  /** Runs {@code prepare} on this thread, then kernel {@code id} as {@link #launch(int, int, Parallel.Kernel)} does, timing both. */
  protected final void launch(int id, Runnable prepare, int count, Parallel.Kernel kernel) {
    long[] nanos = kernelNanos;
    long t0 = nanos == null ? 0 : System.nanoTime();
    prepare.run();
    parallel.run(count, chunks, kernel);
    if (nanos != null) nanos[id] += System.nanoTime() - t0;
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
    String problem = trainBatchProblem(n);
    if (problem != null) throw new IllegalArgumentException(problem);
    checkBatch(x, n);
    if (labels.length < n) throw new IllegalArgumentException("expected " + n + " labels, got " + labels.length);
    this.input = x;
    this.seed = seed;
    this.batch = n;
    if (partials.length == 1 || partialsDirty) {
      for (float[] p : partials) {
        for (int r = 0; r < partialRanges.length; r += 2) {
          Arrays.fill(p, partialRanges[r], partialRanges[r] + partialRanges[r + 1], 0f);
        }
      }
    }
    partialsDirty = partials.length > 1;
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

  /** gradients = the chunks' partials summed in chunk order; each partial is cleared as it is read. */
  private void reduceGradients() {
    if (partials.length == 1) return;
    int parts = partials.length;
    for (int r = 0; r < partialRanges.length; r += 2) {
      int from = partialRanges[r];
      parallel.run(partialRanges[r + 1], parallel.threads(), (t, c, lo, hi) -> {
        for (int i = from + lo; i < from + hi; i++) {
          float s = 0;
          for (int p = 0; p < parts; p++) {
            s += partials[p][i];
            partials[p][i] = 0f;
          }
          gradients[i] = s;
        }
      });
    }
    partialsDirty = false;
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
