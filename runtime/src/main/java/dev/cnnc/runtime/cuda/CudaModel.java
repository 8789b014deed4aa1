// A compiled network on a GPU: device arrays for parameters, gradients, activations and scratch,
// and the training step replayed as a fixed list of launches with no host round trip per layer.
package dev.cnnc.runtime.cuda;

import dev.cnnc.runtime.CnncException;
import dev.cnnc.runtime.DeviceModel;
import dev.cnnc.runtime.StepResult;
import dev.cnnc.runtime.TensorSpec;
import dev.cnnc.runtime.cpu.Init;
import dev.cnnc.runtime.cuda.CudaProgram.Arg;
import dev.cnnc.runtime.cuda.CudaProgram.Gemm;
import dev.cnnc.runtime.cuda.CudaProgram.Launch;
import dev.cnnc.runtime.cuda.CudaProgram.Ref;
import dev.cnnc.runtime.cuda.CudaProgram.Scalar;
import dev.cnnc.runtime.cuda.CudaProgram.Step;
import dev.cnnc.runtime.optim.Optimizer;
import dev.cnnc.runtime.optim.OptimizerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The device holds the working copy of everything; the host arrays of the {@link dev.cnnc.runtime.Model}
 * contract are mirrors, kept in step lazily:
 *
 * <ul>
 *   <li>{@link #parameterData()} and {@link #bufferData()} fetch the device's values when they are
 *       newer, and hand the array out: whatever the caller writes into it is uploaded before the
 *       next launch. Running statistics (buffers) are uploaded once per hand-out. Parameters are
 *       uploaded before every step for as long as no device optimizer exists, because the
 *       runtime's CPU optimizers write into that array after every step; once
 *       {@link #createOptimizer} has made one, the device alone updates them and a hand-out is
 *       uploaded once, like the buffers.
 *   <li>{@link #gradientData()} is fetched after every step while the CPU optimizers are in use,
 *       and on request once a device optimizer exists.
 * </ul>
 *
 * A training step uploads the batch (asynchronously, from pinned memory), launches the forward
 * kernels, the loss and the backward kernels back to back, and waits only for the two numbers of
 * {@link StepResult}. Not thread-safe, like every {@link dev.cnnc.runtime.Model}.
 */
public final class CudaModel implements DeviceModel, AutoCloseable {
  private final Device device;
  private final CudaProgram program;
  private final int maxBatch;
  private final long params;
  private final long grads;
  private final long buffers;
  private final long input;
  private final long labels;
  private final long decay;
  private final long[] arrays;
  private final float[] hostParams;
  private final float[] hostGrads;
  private final float[] hostBuffers;
  private final double[] stats = new double[2];
  private final long[] scalars = new long[Scalar.values().length];
  private final Prepared[] trainForward;
  private final Prepared[] loss;
  private final Prepared[] backward;
  private final Prepared[] infer;
  /** The handle of {@link CudaProgram#GEMM_KERNEL} when the products run on it instead of cuBLAS, else -1. */
  private final int gemmKernel;
  private final long lossStats;
  private final long inferLogits;

  // Which copy is newer; see the class comment.
  private boolean paramsHostStale;
  private boolean paramsDeviceStale;
  private boolean buffersHostStale;
  private boolean buffersDeviceStale;
  private boolean gradsHostStale;
  private boolean deviceOptimizer;
  private boolean closed;

  /** Allocates every device array for batches of up to {@code maxBatch} images; parameters start at zero. */
  public CudaModel(Device device, CudaProgram program, int maxBatch) {
    if (maxBatch < 1) throw new IllegalArgumentException("the batch size must be at least 1, got " + maxBatch);
    this.device = device;
    this.program = program;
    this.maxBatch = maxBatch;
    checkIndexRange(program, maxBatch);
    int p = program.parameterCount();
    this.hostParams = new float[p];
    this.hostGrads = new float[p];
    this.hostBuffers = new float[program.bufferCount()];
    this.params = device.allocate(4L * Math.max(1, p));
    this.grads = device.allocate(4L * Math.max(1, p));
    this.buffers = device.allocate(4L * Math.max(1, hostBuffers.length));
    this.input = device.allocate(4L * maxBatch * program.inputSize());
    this.labels = device.allocate(4L * maxBatch);
    this.decay = device.allocate(4L * Math.max(1, p));
    this.arrays = new long[program.arrays().size()];
    for (int i = 0; i < arrays.length; i++) {
      CudaProgram.Array a = program.arrays().get(i);
      arrays[i] = device.allocate(Math.max(1, a.elements(maxBatch)) * a.type().bytes);
    }
    float[] mask = new float[p];
    for (TensorSpec t : program.parameters()) {
      if (t.decay()) java.util.Arrays.fill(mask, t.offset(), t.offset() + t.size(), 1f);
    }
    device.upload(decay, mask, 0, p);
    this.gemmKernel = gemmKernel(device, program);
    this.trainForward = prepare(program.trainForward(), null);
    this.loss = prepare(program.loss(), null);
    this.backward = prepare(program.backward(), null);
    this.infer = prepare(program.infer(), null);
    this.lossStats = address(program.lossStats(), null);
    this.inferLogits = address(program.inferLogits(), null);
    this.paramsDeviceStale = true;
    this.buffersDeviceStale = true;
  }

  /**
   * Where the products run: cuBLAS, unless the device has none or {@code -Dcnnc.cuda.blas=generated}
   * asks for the program's own kernel; -1 for cuBLAS.
   */
  private static int gemmKernel(Device device, CudaProgram program) {
    String asked = System.getProperty("cnnc.cuda.blas", "cublas");
    if (!asked.equals("cublas") && !asked.equals("generated")) {
      throw new CnncException("-Dcnnc.cuda.blas=" + asked + ": use cublas (the default) or generated");
    }
    String problem = device.blasProblem();
    if (asked.equals("cublas") && problem == null) return -1;
    if (!program.hasProducts()) return -1;
    if (program.kernels().stream().noneMatch(k -> k.name().equals(CudaProgram.GEMM_KERNEL))) {
      throw new CnncException((problem != null ? "cuBLAS is not available (" + problem + "), and " : "")
          + program.fileName() + " has no " + CudaProgram.GEMM_KERNEL + " kernel to run its matrix products on:"
          + " it was generated by an older cnnc; compile it again.");
    }
    return device.kernel(CudaProgram.GEMM_KERNEL);
  }

  /** Whether the matrix products run on the program's own kernel rather than cuBLAS. */
  public boolean generatedProducts() {
    return gemmKernel >= 0;
  }

  /** Kernels index with 32-bit ints; refuse a batch whose largest array would overflow them. */
  private static void checkIndexRange(CudaProgram program, int maxBatch) {
    long largest = (long) maxBatch * program.inputSize();
    for (CudaProgram.Array a : program.arrays()) largest = Math.max(largest, a.elements(maxBatch));
    if (largest > Integer.MAX_VALUE) {
      throw new CnncException("A batch of " + maxBatch + " is too large for " + program.name()
          + " on the GPU: one activation would hold " + largest + " floats, more than the kernels' 32-bit"
          + " indices reach. Use a smaller --batch.");
    }
  }

  /** Sets every parameter and buffer to its PyTorch default initial value, as the CPU backend does. */
  public void initialize(long seed) {
    Init.initialize(hostParams, hostBuffers, program.inits(), seed);
    paramsHostStale = false;
    buffersHostStale = false;
    paramsDeviceStale = true;
    buffersDeviceStale = true;
  }

  // ---- the step ----

  @Override
  public StepResult trainStep(float[] x, int[] labelsIn, int n, float labelSmoothing, long seed) {
    String problem = trainBatchProblem(n);
    if (problem != null) throw new IllegalArgumentException(problem);
    checkBatch(x, n);
    if (labelsIn.length < n) throw new IllegalArgumentException("expected " + n + " labels, got " + labelsIn.length);
    for (int i = 0; i < n; i++) {
      if (labelsIn[i] < 0 || labelsIn[i] >= program.classes()) {
        throw new IllegalArgumentException("label " + labelsIn[i] + " of image " + i + " is outside 0.."
            + (program.classes() - 1));
      }
    }
    syncToDevice();
    device.upload(input, x, 0, n * program.inputSize());
    device.upload(labels, labelsIn, 0, n);
    scalars[Scalar.BATCH.ordinal()] = n;
    scalars[Scalar.SEED.ordinal()] = seed;
    scalars[Scalar.LABEL_SMOOTHING.ordinal()] = Float.floatToRawIntBits(labelSmoothing) & 0xffffffffL;
    run(trainForward, n);
    run(loss, n);
    run(backward, n);
    device.download(lossStats, stats, 0, 2);
    buffersHostStale = true;
    gradsHostStale = true;
    if (!deviceOptimizer) {
      device.download(grads, hostGrads, 0, hostGrads.length);
      gradsHostStale = false;
    }
    return new StepResult(stats[0], (int) stats[1]);
  }

  @Override
  public void infer(float[] x, int n, float[] logits) {
    checkBatch(x, n);
    syncToDevice();
    device.upload(input, x, 0, n * program.inputSize());
    scalars[Scalar.BATCH.ordinal()] = n;
    run(infer, n);
    device.download(inferLogits, logits, 0, n * program.classes());
  }

  private void checkBatch(float[] x, int n) {
    if (closed) throw new IllegalStateException("this CUDA model has been closed");
    if (n < 1 || n > maxBatch) {
      throw new IllegalArgumentException("batch of " + n + " images; this network was built for 1 to " + maxBatch);
    }
    long need = (long) n * program.inputSize();
    if (x.length < need) throw new IllegalArgumentException("input holds " + x.length + " floats, a batch of " + n + " needs " + need);
  }

  /** Uploads whatever was handed out since the device last saw it. */
  void syncToDevice() {
    if (paramsDeviceStale) {
      device.upload(params, hostParams, 0, hostParams.length);
      paramsDeviceStale = !deviceOptimizer;
    }
    if (buffersDeviceStale) {
      device.upload(buffers, hostBuffers, 0, hostBuffers.length);
      buffersDeviceStale = false;
    }
  }

  /** The device optimizer has changed the parameters. */
  void parametersUpdatedOnDevice() {
    paramsHostStale = true;
  }

  private void run(Prepared[] steps, int n) {
    for (Prepared s : steps) s.run(this, n);
  }

  // ---- the Model contract's host arrays ----

  @Override
  public float[] parameterData() {
    if (paramsHostStale) {
      device.download(params, hostParams, 0, hostParams.length);
      paramsHostStale = false;
    }
    paramsDeviceStale = true;
    return hostParams;
  }

  @Override
  public float[] gradientData() {
    if (gradsHostStale) {
      device.download(grads, hostGrads, 0, hostGrads.length);
      gradsHostStale = false;
    }
    return hostGrads;
  }

  @Override
  public float[] bufferData() {
    if (buffersHostStale) {
      device.download(buffers, hostBuffers, 0, hostBuffers.length);
      buffersHostStale = false;
    }
    buffersDeviceStale = true;
    return hostBuffers;
  }

  /**
   * An optimizer that updates the parameters on the device with one kernel per step (SGD with
   * momentum, dampening, Nesterov and weight decay; Adam; AdamW), in the same float arithmetic as
   * the runtime's CPU optimizers, and exports its state under the same names.
   */
  @Override
  public Optimizer createOptimizer(OptimizerConfig config) {
    deviceOptimizer = true;
    return new CudaOptimizer(this, config);
  }

  @Override
  public String name() {
    return program.name();
  }

  @Override
  public List<String> oneValueBatchNorms() {
    return program.oneValueBatchNorms();
  }

  @Override
  public int[] inputShape() {
    return program.inputShape();
  }

  @Override
  public int classes() {
    return program.classes();
  }

  @Override
  public int maxBatch() {
    return maxBatch;
  }

  @Override
  public List<TensorSpec> parameters() {
    return program.parameters();
  }

  @Override
  public List<TensorSpec> buffers() {
    return program.buffers();
  }

  public CudaProgram program() {
    return program;
  }

  /** The device, for checks that poison or inspect arrays directly. */
  public Device device() {
    return device;
  }

  /** The device address {@code ref} resolves to (optimizer state excluded). */
  public long address(Ref ref) {
    return address(ref, null);
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    device.close();
  }

  /** One launch or cuBLAS product of a training step, and how long it took on its own. */
  public record StepTime(String phase, String kernel, String what, double micros) {}

  /**
   * Where a training step's time goes: one step as usual, then each of its launches on its own,
   * followed by a wait, {@code repeats} times; the median of each. The waits add the launch
   * latency to every entry, so the sum exceeds a real step. Running launches out of order leaves
   * activations, gradients and running statistics meaningless: initialise or load afterwards.
   */
  public List<StepTime> profile(float[] x, int[] labelsIn, int n, int repeats) {
    trainStep(x, labelsIn, n, 0f, 0);
    List<StepTime> out = new ArrayList<>();
    String[] phases = {"forward", "loss", "backward"};
    Prepared[][] prepared = {trainForward, loss, backward};
    List<List<Step>> steps = List.of(program.trainForward(), program.loss(), program.backward());
    for (int p = 0; p < phases.length; p++) {
      for (int i = 0; i < prepared[p].length; i++) {
        double[] t = new double[repeats];
        for (int r = 0; r < repeats; r++) {
          long t0 = System.nanoTime();
          prepared[p][i].run(this, n);
          device.synchronize();
          t[r] = (System.nanoTime() - t0) / 1e3;
        }
        java.util.Arrays.sort(t);
        Step s = steps.get(p).get(i);
        String kernel = s instanceof Launch l ? program.kernels().get(l.kernel()).name()
            : gemmKernel >= 0 ? CudaProgram.GEMM_KERNEL : "cublasSgemm";
        out.add(new StepTime(phases[p], kernel, s.comment(), t[repeats / 2]));
      }
    }
    buffersHostStale = true;
    gradsHostStale = true;
    return out;
  }

  // ---- prepared steps: addresses resolved once, scalars filled in per launch ----

  /** @param optimizer the optimizer's state arrays, or null outside optimizer steps */
  Prepared[] prepare(List<Step> steps, long[] optimizer) {
    List<Prepared> out = new ArrayList<>();
    for (Step s : steps) out.add(prepare(s, optimizer));
    return out.toArray(new Prepared[0]);
  }

  Prepared prepare(Step s, long[] optimizer) {
    if (s instanceof Launch l) {
      long[] args = new long[l.args().size()];
      List<Integer> at = new ArrayList<>();
      List<Scalar> which = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        Arg a = l.args().get(i);
        if (a instanceof Arg.Pointer p) {
          args[i] = address(p.ref(), optimizer);
        } else {
          at.add(i);
          which.add(((Arg.Value) a).scalar());
        }
      }
      int kernel = device.kernel(program.kernels().get(l.kernel()).name());
      return new PreparedLaunch(kernel, l, args, at.stream().mapToInt(Integer::intValue).toArray(),
          which.toArray(new Scalar[0]));
    }
    Gemm g = (Gemm) s;
    long a = address(g.a(), optimizer), b = address(g.b(), optimizer), c = address(g.c(), optimizer);
    return gemmKernel >= 0 ? new GeneratedGemm(gemmKernel, g, a, b, c) : new PreparedGemm(g, a, b, c);
  }

  private long address(Ref r, long[] optimizer) {
    long base;
    int bytes = 4;
    switch (r.space()) {
      case PARAMS -> base = params;
      case GRADS -> base = grads;
      case BUFFERS -> base = buffers;
      case INPUT -> base = input;
      case LABELS -> base = labels;
      case DECAY -> base = decay;
      case ARRAY -> {
        base = arrays[r.index()];
        bytes = program.arrays().get(r.index()).type().bytes;
      }
      case OPTIMIZER -> {
        if (optimizer == null) throw new IllegalStateException("optimizer state outside an optimizer step");
        base = optimizer[r.index()];
      }
      default -> throw new IllegalStateException(r.toString());
    }
    return base + r.offset() * bytes;
  }

  /** Sets a run-time scalar for the launches that follow. */
  void scalar(Scalar s, long bits) {
    scalars[s.ordinal()] = bits;
  }

  interface Prepared {
    void run(CudaModel m, int n);
  }

  private record PreparedLaunch(int kernel, Launch launch, long[] args, int[] at, Scalar[] which) implements Prepared {
    public void run(CudaModel m, int n) {
      for (int i = 0; i < at.length; i++) args[at[i]] = m.scalars[which[i].ordinal()];
      long gx = launch.gridX().at(n);
      long gy = launch.gridY().at(n);
      if (gx < 1 || gy < 1) return;
      if (gx > Integer.MAX_VALUE || gy > 65535) {
        throw new CnncException("batch " + n + " needs a " + gx + "×" + gy + " grid for "
            + m.program.kernels().get(launch.kernel()).name() + ", more than CUDA allows; use a smaller --batch");
      }
      m.device.launch(kernel, (int) gx, (int) gy, launch.block(), launch.sharedBytes(), args);
    }
  }

  /** A product on {@link CudaProgram#GEMM_KERNEL}: cuBLAS's arguments, one thread per element of C. */
  private record GeneratedGemm(int kernel, Gemm g, long a, long b, long c) implements Prepared {
    public void run(CudaModel m, int n) {
      long rows = g.m().at(n), cols = g.n().at(n), k = g.k().at(n);
      long blocks = (rows * cols + CudaProgram.GEMM_BLOCK - 1) / CudaProgram.GEMM_BLOCK;
      if (blocks < 1) return;
      if (blocks > Integer.MAX_VALUE) {
        throw new CnncException("batch " + n + " needs a " + rows + "×" + cols + " product, more than "
            + CudaProgram.GEMM_KERNEL + "'s grid allows; use a smaller --batch");
      }
      long[] args = {g.transA() ? 1 : 0, g.transB() ? 1 : 0, rows, cols, k, bits(g.alpha()), a, g.lda(), b, g.ldb(),
          bits(g.beta()), c, g.ldc()};
      m.device.launch(kernel, (int) blocks, 1, CudaProgram.GEMM_BLOCK, 0, args);
    }

    private static long bits(float v) {
      return Float.floatToRawIntBits(v) & 0xffffffffL;
    }
  }

  private record PreparedGemm(Gemm g, long a, long b, long c) implements Prepared {
    public void run(CudaModel m, int n) {
      m.device.sgemm(g.transA(), g.transB(), (int) g.m().at(n), (int) g.n().at(n), (int) g.k().at(n), g.alpha(),
          a, g.lda(), b, g.ldb(), g.beta(), c, g.ldc());
    }
  }
}
