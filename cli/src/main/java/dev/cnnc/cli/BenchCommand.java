// `cnnc bench FILE`: training and inference images/s, and each kernel's time and GFLOP/s against
// the machine's measured FP32 peak. Numbers for people comparing runs, never for pass/fail tests.
package dev.cnnc.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cnnc.runtime.cpu.CpuNetwork;
import dev.cnnc.runtime.cpu.Gemm;
import dev.cnnc.runtime.cpu.KernelJit;
import dev.cnnc.runtime.cpu.Peak;
import dev.cnnc.runtime.cuda.CudaModel;
import dev.cnnc.runtime.cuda.CudaSpeed;
import dev.cnnc.runtime.optim.Optimizer;
import dev.cnnc.runtime.optim.OptimizerConfig;
import java.io.PrintWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "bench", sortOptions = false,
    description = "Training and inference images/s, per-layer time and GFLOP/s (synthetic data); on the GPU, time per launch.")
final class BenchCommand implements Callable<Integer> {
  enum Format { text, json }

  @ParentCommand Main main;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "the spec file")
  Path file;

  @Option(names = "--backend", paramLabel = "B", defaultValue = "java", description = "java or cuda (default: ${DEFAULT-VALUE})")
  Models.Backend backend;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "64", description = "training batch (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--infer-batch", paramLabel = "N", defaultValue = "256", description = "inference batch (default: ${DEFAULT-VALUE})")
  int inferBatch;

  @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: the available processors)")
  Integer threads;

  @Option(names = "--windows", paramLabel = "N", defaultValue = "5", description = "timed windows; the median is reported (default: ${DEFAULT-VALUE})")
  int windows;

  @Option(names = "--max-warm-up", paramLabel = "S", defaultValue = "120", description = "longest warm-up per phase, in seconds (default: ${DEFAULT-VALUE})")
  double maxWarmUp;

  @Option(names = "--seconds", paramLabel = "S", defaultValue = "2", description = "length of each timed window; the warm-up runs windows until the JIT goes quiet (default: ${DEFAULT-VALUE})")
  double seconds;

  @Option(names = "--peak-gflops", paramLabel = "G", description = "the machine's FP32 peak for these threads (default: measured with an FMA loop)")
  Double peakGflops;

  @Option(names = "--skip-layers", description = "only the images/s figures, no per-layer profile")
  boolean skipLayers;

  @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
  Format format;

  @Override
  public Integer call() {
    if (batch < 1 || inferBatch < 1 || windows < 1 || !(seconds > 0) || !(maxWarmUp >= 0) || (threads != null && threads < 1)) {
      throw new Main.UserError(Main.USAGE, "--batch, --infer-batch, --windows, --seconds and --threads must be positive, --max-warm-up not negative");
    }
    PrintWriter err = spec.commandLine().getErr();
    int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    Specs.Checked checked = Specs.load(file, err, false);
    if (backend == Models.Backend.reference) {
      throw new Main.UserError(Main.USAGE, "--backend reference is the slow checking interpreter; bench java or cuda");
    }
    try {
      return backend == Models.Backend.cuda ? runCuda(checked, err) : run(checked, t, err);
    } catch (OutOfMemoryError e) {
      throw Models.outOfMemory(checked.graph().name(), Math.max(batch, inferBatch));
    }
  }

  private int run(Specs.Checked checked, int t, PrintWriter err) {
    CpuNetwork net = (CpuNetwork) Models.build(Models.Backend.java, checked, Math.max(batch, inferBatch), t, 1, main.host);
    if (batch < net.minTrainBatch()) {
      throw new Main.UserError(Main.USAGE, net.trainBatchProblem(batch) + ". Use --batch 2 or more.");
    }
    int classes = net.classes();
    int[] shape = net.inputShape();
    SplittableRandom random = new SplittableRandom(7);
    float[] x = new float[Math.max(batch, inferBatch) * shape[0] * shape[1] * shape[2]];
    for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
    int[] labels = new int[batch];
    for (int i = 0; i < batch; i++) labels[i] = random.nextInt(classes);
    Optimizer sgd = OptimizerConfig.sgd(0.01, 0.9).create(net.parameters(), net.parameterData().length);
    float[] logits = new float[inferBatch * classes];

    Runnable trainStep = () -> {
      net.trainStep(x, labels, batch, 0f, 1);
      sgd.step(net.parameterData(), net.gradientData(), 0.01);
    };
    Runnable inferStep = () -> net.infer(x, inferBatch, logits);
    err.printf("bench %s: batch %d, %d thread%s, %s GEMM; warming up…%n", net.name(), batch, t, t == 1 ? "" : "s",
        Gemm.strategy());
    err.flush();
    double trainRate, inferRate;
    Profile profile;
    List<String> suspects;
    try (KernelJit jit = KernelJit.start()) {
      trainRate = batch / median(trainStep, 0);
      inferRate = inferBatch / median(inferStep, 1);
      profile = skipLayers ? Profile.NONE : profile(net, trainStep, inferStep);
      suspects = jit.suspects();
    }
    double peak = peakGflops != null ? peakGflops : Peak.perThreadGflops() * t;
    if (!suspects.isEmpty()) {
      err.printf("warning: %s, so these figures say nothing about cnnc; run the bench again%n", KernelJit.describe(suspects));
      err.flush();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(format == Format.json ? json(net, t, trainRate, inferRate, peak, profile, suspects)
        : text(net, t, trainRate, inferRate, peak, profile));
    out.flush();
    return Main.OK;
  }

  /** Seconds each phase (training, inference) spent warming up. */
  private final double[] warmUp = new double[2];

  /** A window is quiet when the JIT spent less than this share of it compiling. */
  static final double QUIET_SHARE = 0.02;

  /**
   * Seconds per call: the median over windows of the mean call time, after a warm-up. The JIT
   * compiles the generated kernels during the first calls, so the warm-up runs at least 10 of them
   * and each window at least 3, however long a slow network's steps take; then windows until one
   * passes with the JIT nearly idle (compiling for under 2% of it, summed over the compiler
   * threads), or --max-warm-up seconds (past it, a JIT that never goes quiet is measured anyway).
   * On 2 cores the compiler threads share the cores with the kernels: ResNet-20's training reached
   * its speed about 10 s in, so a fixed 2 s warm-up measured it half compiled (a build with two
   * more runtime kernels to compile then looked 2.5× slower than one without).
   */
  private double median(Runnable step, int phase) {
    long start = System.nanoTime();
    window(step, 10);
    JitClock jit = JitClock.start();
    while (jit != null && (System.nanoTime() - start) / 1e9 < maxWarmUp) {
      long compiling = jit.millis();
      long from = System.nanoTime();
      window(step, 3);
      if (jit.millis() - compiling < QUIET_SHARE * (System.nanoTime() - from) / 1e6) break;
    }
    warmUp[phase] = (System.nanoTime() - start) / 1e9;
    double[] perCall = new double[windows];
    for (int w = 0; w < windows; w++) perCall[w] = window(step, 3);
    Arrays.sort(perCall);
    return perCall[windows / 2];
  }

  /**
   * The GPU: images/s as a training loop sees them ({@link CudaSpeed}: batch copied in, loss read
   * back, SGD on the GPU), a short calibration then {@code windows} runs of about {@code seconds},
   * and unless --skip-layers the time of every launch of a training step, each followed by a wait.
   */
  private int runCuda(Specs.Checked checked, PrintWriter err) {
    try (CudaModel m = (CudaModel) Models.build(Models.Backend.cuda, checked, Math.max(batch, inferBatch), 1, 1,
        main.host)) {
      String problem = m.trainBatchProblem(batch);
      if (problem != null) throw new Main.UserError(Main.USAGE, problem + ". Use --batch 2 or more.");
      err.printf("bench %s on the GPU: batch %d, then %d; warming up…%n", m.name(), batch, inferBatch);
      err.flush();
      CudaSpeed training = new CudaSpeed(m, batch);
      double[] train = runs(training::train, training.stepsFor(seconds, training.train(10)));
      CudaSpeed inference = new CudaSpeed(m, inferBatch);
      double[] infer = runs(inference::infer, inference.stepsFor(seconds, inference.infer(10)));
      List<CudaModel.StepTime> launches = List.of();
      if (!skipLayers) {
        int[] labels = new int[batch];
        launches = m.profile(new float[batch * m.program().inputSize()], labels, batch, 20);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.print(format == Format.json ? cudaJson(m, train, infer, launches) : cudaText(m, train, infer, launches));
      out.flush();
      return Main.OK;
    }
  }

  private double[] runs(java.util.function.IntToDoubleFunction run, int steps) {
    double[] rates = new double[windows];
    for (int w = 0; w < windows; w++) rates[w] = run.applyAsDouble(steps);
    return rates;
  }

  private String cudaText(CudaModel m, double[] train, double[] infer, List<CudaModel.StepTime> launches) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%s on %s%n", m.name(), m.device().description()));
    b.append(String.format(Locale.ROOT, "training:  %10.1f images/s (batch %d, SGD step included; median of %d)%n",
        CudaSpeed.median(train), batch, train.length));
    b.append(String.format(Locale.ROOT, "inference: %10.1f images/s (batch %d)%n", CudaSpeed.median(infer), inferBatch));
    if (launches.isEmpty()) return b.toString();
    double total = launches.stream().mapToDouble(CudaModel.StepTime::micros).sum();
    b.append(String.format(Locale.ROOT, "%ntraining step, launch by launch (µs, median of 20, each followed by a wait:"
        + " %.0f µs in %d launches)%n", total, launches.size()));
    b.append(String.format(Locale.ROOT, "%-9s %-40s %10s  %s%n", "phase", "kernel", "µs", "what"));
    for (CudaModel.StepTime t : launches) {
      b.append(String.format(Locale.ROOT, "%-9s %-40s %10.1f  %s%n", t.phase(), clip(t.kernel(), 40), t.micros(), t.what()));
    }
    return b.toString();
  }

  private String cudaJson(CudaModel m, double[] train, double[] infer, List<CudaModel.StepTime> launches) {
    JsonObject o = new JsonObject();
    o.addProperty("network", m.name());
    o.addProperty("backend", "cuda");
    o.addProperty("device", m.device().description());
    o.addProperty("batch", batch);
    o.addProperty("infer_batch", inferBatch);
    o.addProperty("train_images_per_s", CudaSpeed.median(train));
    o.addProperty("infer_images_per_s", CudaSpeed.median(infer));
    JsonArray runs = new JsonArray();
    for (double r : train) runs.add(r);
    o.add("train_runs", runs);
    JsonArray list = new JsonArray();
    for (CudaModel.StepTime t : launches) {
      JsonObject j = new JsonObject();
      j.addProperty("phase", t.phase());
      j.addProperty("kernel", t.kernel());
      j.addProperty("what", t.what());
      j.addProperty("micros", t.micros());
      list.add(j);
    }
    o.add("launches", list);
    return new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
  }

  /**
   * The JIT's compile-time counter, in a class of its own: picocli reads every signature of this
   * command's methods, and one naming CompilationMXBean made every command fail to start on a
   * runtime without java.management.
   */
  private static final class JitClock {
    private final CompilationMXBean bean;

    private JitClock(CompilationMXBean bean) {
      this.bean = bean;
    }

    /** The counter, or null where this runtime has none (no java.management). */
    static JitClock start() {
      if (ModuleLayer.boot().findModule("java.management").isEmpty()) return null;
      CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
      return jit != null && jit.isCompilationTimeMonitoringSupported() ? new JitClock(jit) : null;
    }

    /** Milliseconds the JIT has spent compiling. */
    long millis() {
      return bean.getTotalCompilationTime();
    }
  }

  private double window(Runnable step, int minCalls) {
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    int calls = 0;
    long now;
    do {
      step.run();
      calls++;
      now = System.nanoTime();
    } while (now < end || calls < minCalls);
    return (now - start) / 1e9 / calls;
  }

  /** One kernel's share of a step. */
  record Layer(String phase, String layer, String describe, double msPerStep, double gflops) {}

  /**
   * The per-kernel table and, measured over the same steps, each phase's whole step (training:
   * forward, loss, backward, gradient reduction and the SGD step) and its kernels' sum. The
   * images/s above are measured minutes apart on a shared machine, so the table states its own.
   */
  record Profile(List<Layer> layers, double[] stepMs, double[] kernelMs) {
    static final Profile NONE = new Profile(List.of(), new double[2], new double[2]);
  }

  private Profile profile(CpuNetwork net, Runnable trainStep, Runnable inferStep) {
    long[] nanos = new long[net.kernels().size()];
    int[] steps = new int[2];
    double[] stepMs = new double[2];
    for (int phase = 0; phase < 2; phase++) {
      Runnable step = phase == 0 ? trainStep : inferStep;
      net.profile(true);
      long start = System.nanoTime();
      long end = start + (long) (seconds * windows * 1e9 / 2);
      long now;
      do {
        step.run();
        steps[phase]++;
        now = System.nanoTime();
      } while (now < end);
      stepMs[phase] = (now - start) / 1e6 / steps[phase];
      long[] got = net.kernelNanos();
      for (int i = 0; i < nanos.length; i++) nanos[i] += got[i];
      net.profile(false);
    }
    List<CpuNetwork.Kernel> kernels = net.kernels();
    Layer[] out = new Layer[kernels.size()];
    double[] kernelMs = new double[2];
    for (int i = 0; i < kernels.size(); i++) {
      CpuNetwork.Kernel k = kernels.get(i);
      boolean infer = k.phase().equals("infer");
      double ms = nanos[i] / 1e6 / steps[infer ? 1 : 0];
      kernelMs[infer ? 1 : 0] += ms;
      double flops = (double) k.flopsPerImage() * (infer ? inferBatch : batch);
      out[i] = new Layer(k.phase(), k.layer(), k.describe(), ms, flops == 0 ? 0 : flops / (ms * 1e6));
    }
    return new Profile(List.of(out), stepMs, kernelMs);
  }

  private String text(CpuNetwork net, int t, double train, double infer, double peak, Profile profile) {
    List<Layer> layers = profile.layers();
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%s, %d thread%s, %s GEMM, FP32 peak %.0f GFLOP/s%n", net.name(), t,
        t == 1 ? "" : "s", Gemm.strategy(), peak));
    b.append(String.format(Locale.ROOT, "training:  %8.1f images/s (batch %d, SGD step included)%n", train, batch));
    b.append(String.format(Locale.ROOT, "inference: %8.1f images/s (batch %d)%n", infer, inferBatch));
    b.append(String.format(Locale.ROOT, "warm-up until the JIT went quiet: training %.0f s, inference %.0f s%n", warmUp[0],
        warmUp[1]));
    if (layers.isEmpty()) return b.toString();
    b.append(String.format(Locale.ROOT, "%n%-9s %-28s %-34s %9s %9s %7s%n", "phase", "layer", "op", "ms/step", "GFLOP/s", "% peak"));
    for (Layer l : layers) {
      b.append(String.format(Locale.ROOT, "%-9s %-28s %-34s %9.3f %9s %7s%n", l.phase, clip(l.layer, 28), clip(l.describe, 34),
          l.msPerStep, l.gflops == 0 ? "" : String.format(Locale.ROOT, "%.1f", l.gflops),
          l.gflops == 0 ? "" : String.format(Locale.ROOT, "%.1f", 100 * l.gflops / peak)));
    }
    b.append(String.format(Locale.ROOT, "%nwhile profiling: training %.2f ms a step (%.1f images/s), kernels %.2f ms of it;"
        + " inference %.2f ms a batch (%.1f images/s), kernels %.2f ms%n", profile.stepMs()[0], batch * 1e3 / profile.stepMs()[0],
        profile.kernelMs()[0], profile.stepMs()[1], inferBatch * 1e3 / profile.stepMs()[1], profile.kernelMs()[1]));
    return b.toString();
  }

  private static String clip(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }

  private String json(CpuNetwork net, int t, double train, double infer, double peak, Profile profile,
      List<String> suspects) {
    List<Layer> layers = profile.layers();
    JsonObject o = new JsonObject();
    o.addProperty("network", net.name());
    o.addProperty("threads", t);
    o.addProperty("batch", batch);
    o.addProperty("infer_batch", inferBatch);
    o.addProperty("gemm", Gemm.strategy());
    o.addProperty("peak_gflops", peak);
    o.addProperty("train_images_per_s", train);
    o.addProperty("infer_images_per_s", infer);
    o.addProperty("train_warm_up_s", warmUp[0]);
    o.addProperty("infer_warm_up_s", warmUp[1]);
    // kernels the JIT compiled without the Vector API's intrinsics (then the figures are ~15× low)
    JsonArray jit = new JsonArray();
    suspects.forEach(jit::add);
    o.add("jit_suspects", jit);
    JsonArray list = new JsonArray();
    for (Layer l : layers) {
      JsonObject j = new JsonObject();
      j.addProperty("phase", l.phase);
      j.addProperty("layer", l.layer);
      j.addProperty("op", l.describe);
      j.addProperty("ms_per_step", l.msPerStep);
      j.addProperty("gflops", l.gflops);
      j.addProperty("peak_share", l.gflops / peak);
      list.add(j);
    }
    o.add("layers", list);
    if (!layers.isEmpty()) {
      // the same steps as the table: whole steps, and the kernels' share of them
      o.addProperty("profiled_train_ms_per_step", profile.stepMs()[0]);
      o.addProperty("profiled_train_kernel_ms", profile.kernelMs()[0]);
      o.addProperty("profiled_infer_ms_per_batch", profile.stepMs()[1]);
      o.addProperty("profiled_infer_kernel_ms", profile.kernelMs()[1]);
    }
    return new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
  }
}
