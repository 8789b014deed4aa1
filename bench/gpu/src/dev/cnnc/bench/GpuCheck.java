// The CUDA backend's device check: every kernel of every example against the reference
// interpreter, the GPU optimizers against the CPU ones, NVRTC, one epoch of SimpleCNN on a CIFAR-10
// slice, and training images/s. bench/gpu/run.sh runs it on a GPU machine; prepare.sh uses its
// `cubins` command to precompile the kernels here.
package dev.cnnc.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cnnc.compiler.Frontend;
import dev.cnnc.compiler.Pipeline;
import dev.cnnc.compiler.TrainDefaults;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.diag.TextRenderer;
import dev.cnnc.compiler.emit.CudaBackend;
import dev.cnnc.compiler.emit.CudaEmitter;
import dev.cnnc.compiler.emit.JavaBackend;
import dev.cnnc.compiler.ops.CudaGen.Convolutions;
import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.reference.ReferenceModel;
import dev.cnnc.runtime.CnncException;
import dev.cnnc.runtime.StepResult;
import dev.cnnc.runtime.TensorSpec;
import dev.cnnc.runtime.cuda.Cuda;
import dev.cnnc.runtime.cuda.CudaCompiler;
import dev.cnnc.runtime.cuda.CudaModel;
import dev.cnnc.runtime.cuda.CudaProgram;
import dev.cnnc.runtime.cuda.CudaSpeed;
import dev.cnnc.runtime.cuda.CudaUnavailableException;
import dev.cnnc.runtime.cuda.Device;
import dev.cnnc.runtime.data.Cifar10;
import dev.cnnc.runtime.data.Dataset;
import dev.cnnc.runtime.optim.Optimizer;
import dev.cnnc.runtime.optim.OptimizerConfig;
import dev.cnnc.runtime.train.TrainConfig;
import dev.cnnc.runtime.train.TrainResult;
import dev.cnnc.runtime.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

public final class GpuCheck {
  static final double TOLERANCE = 1e-4;

  private final Path repo;
  private final Path out;
  private final Path data;
  private final Path cubins;
  private final boolean emulate;
  private final boolean quick;
  private final long seed;
  private final JsonObject results = new JsonObject();
  private int failures;

  private GpuCheck(Map<String, String> o) {
    this.repo = Path.of(o.getOrDefault("repo", ".")).toAbsolutePath();
    this.out = Path.of(o.getOrDefault("out", "out")).toAbsolutePath();
    this.data = o.containsKey("data") ? Path.of(o.get("data")) : null;
    this.cubins = o.containsKey("cubins") ? Path.of(o.get("cubins")) : CudaCompiler.defaultCache();
    this.emulate = o.containsKey("emulate");
    this.quick = o.containsKey("quick");
    this.seed = Long.parseLong(o.getOrDefault("seed", "1"));
  }

  public static void main(String[] args) throws Exception {
    Locale.setDefault(Locale.ROOT);
    if (args.length == 0) {
      System.err.println("usage: GpuCheck all|kernels|optim|nvrtc|train|bench|profile|cubins|cpu-reference [--repo DIR] [--out DIR]"
          + " [--data DIR] [--cubins DIR] [--seed N] [--emulate] [--quick]");
      System.exit(2);
    }
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected " + a);
      boolean flag = a.equals("--emulate") || a.equals("--quick");
      o.put(a.substring(2), flag ? "true" : args[++i]);
    }
    GpuCheck c = new GpuCheck(o);
    try {
      switch (args[0]) {
        case "cubins" -> c.cubins();
        case "all" -> c.all();
        case "kernels" -> c.kernels();
        case "optim" -> c.optimizers();
        case "nvrtc" -> c.nvrtc();
        case "train" -> c.train();
        case "cpu-reference" -> c.cpuReference();
        case "bench" -> c.bench();
        case "profile" -> c.profile();
        default -> throw new IllegalArgumentException("unknown command " + args[0]);
      }
    } catch (CudaUnavailableException e) {
      System.out.println("CUDA unavailable: " + e.getMessage());
      c.results.addProperty("unavailable", e.getMessage());
      c.save();
      System.exit(3);
    }
    if (args[0].equals("cubins") || args[0].equals("cpu-reference")) return;
    c.save();
    System.out.println(c.failures == 0 ? "GPU CHECK PASSED" : "GPU CHECK FAILED: " + c.failures + " problem(s)");
    System.exit(c.failures == 0 ? 0 : 1);
  }

  /** A step of the check. */
  interface Step {
    void run() throws Exception;
  }

  /**
   * Every step, each on its own: one that fails (a CUDA error, a kernel that faults) is reported and
   * counted, and the next still runs, so a single run on a borrowed GPU brings back everything that
   * works. Only CUDA being unavailable stops the check.
   */
  void all() throws Exception {
    Map<String, Step> steps = new LinkedHashMap<>();
    steps.put("kernels", this::kernels);
    steps.put("optim", this::optimizers);
    steps.put("nvrtc", this::nvrtc);
    steps.put("train", this::train);
    steps.put("bench", this::bench);
    steps.put("profile", this::profile);
    for (Map.Entry<String, Step> step : steps.entrySet()) {
      try {
        step.getValue().run();
      } catch (CudaUnavailableException e) {
        throw e;
      } catch (Exception | AssertionError e) {
        failed(step.getKey(), e);
      }
      save();
    }
  }

  /** Reports a step (or one network's check) that threw, with where, and counts it as a failure. */
  void failed(String what, Throwable e) {
    failures++;
    System.out.println("  FAIL: " + what + " stopped: " + e);
    for (StackTraceElement at : e.getStackTrace()) {
      if (at.getClassName().startsWith("dev.cnnc")) System.out.println("      at " + at);
    }
    if (!results.has("stopped")) results.add("stopped", new JsonObject());
    results.getAsJsonObject("stopped").addProperty(what, e.toString());
  }

  // ---- networks ----

  /**
   * Every example that checks, the every-op network of the tests, and eight networks of the tests'
   * random-network generator (bench/gpu/random: layers before the first parameter, custom
   * shortcuts, dilated and strided convs, all-convolutional heads, flat batch norms).
   */
  List<SourceFile> specs() throws IOException {
    List<SourceFile> specs = new ArrayList<>();
    try (Stream<Path> files = Files.list(repo.resolve("examples"))) {
      for (Path p : files.filter(f -> f.toString().endsWith(".cnn")).sorted().toList()) {
        SourceFile s = new SourceFile("examples/" + p.getFileName(), Files.readString(p));
        if (Frontend.check(s).ok()) specs.add(s);
      }
    }
    Path everyOp = repo.resolve("compiler/src/test/resources/every_op.cnn");
    specs.add(new SourceFile("every_op.cnn", Files.readString(everyOp)));
    Path random = repo.resolve("bench/gpu/random");
    if (Files.isDirectory(random)) {
      try (Stream<Path> files = Files.list(random)) {
        for (Path p : files.filter(f -> f.toString().endsWith(".cnn")).sorted().toList()) {
          specs.add(new SourceFile("random/" + p.getFileName(), Files.readString(p)));
        }
      }
    }
    return specs;
  }

  static Graph graph(SourceFile s) {
    Frontend.Result r = Frontend.check(s);
    if (!r.ok()) throw new IllegalStateException(TextRenderer.render(s, r.diagnostics().sorted()));
    return r.graph().orElseThrow();
  }

  SourceFile example(String name) throws IOException {
    return new SourceFile("examples/" + name, Files.readString(repo.resolve("examples").resolve(name)));
  }

  /** The network on the GPU (or, with --emulate, on the tests' CPU emulator). */
  CudaModel load(SourceFile spec, int maxBatch, Cuda.Options options) throws Exception {
    return load(spec, maxBatch, options, Convolutions.AUTO);
  }

  CudaModel load(SourceFile spec, int maxBatch, Cuda.Options options, Convolutions convolutions) throws Exception {
    Pipeline.Compiled compiled = Pipeline.run(graph(spec));
    if (!emulate) return CudaBackend.load(compiled, spec, maxBatch, options, convolutions);
    CudaEmitter.Output o = CudaEmitter.emit(compiled, spec, convolutions);
    Class<?> emu = Class.forName("dev.cnnc.compiler.check.CudaEmulator");
    var build = emu.getDeclaredMethod("build", CudaEmitter.Output.class);
    build.setAccessible(true);
    var make = emu.getDeclaredConstructor(Path.class, CudaProgram.class);
    make.setAccessible(true);
    Device d = (Device) make.newInstance(build.invoke(null, o), o.program());
    return new CudaModel(d, o.program(), maxBatch);
  }

  Cuda.Options options() {
    return Cuda.Options.defaults().withCache(cubins).withLog(line -> System.out.println("  " + line));
  }

  // ---- kernels against the reference ----

  void kernels() throws Exception {
    System.out.println("== every kernel of every network against the reference interpreter (relative L2 error per tensor)");
    System.out.printf("%-28s %-6s %6s %11s  %-44s %s%n", "network", "conv", "images", "worst", "in", "result");
    JsonArray rows = new JsonArray();
    results.add("kernels", rows); // filled as it goes: a step that stops keeps its rows
    List<SourceFile> specs = specs();
    for (SourceFile s : specs) {
      for (int n : s.name().contains("seed_simple_cnn") && !quick ? new int[] {4, 64} : new int[] {4}) {
        checkNetwork(rows, s, n, Convolutions.AUTO);
        if (quick && emulate) break;
      }
    }
    // AUTO, above, runs the RGB first layers on the direct kernels and the rest through cuBLAS;
    // here every conv case each way, and each way the two networks the speed check times.
    for (SourceFile s : specs) {
      if (quick && !s.name().equals("every_op.cnn")) continue;
      for (Convolutions way : ways(s)) if (way != Convolutions.AUTO) checkNetwork(rows, s, 4, way);
    }
    // Where cuBLAS is missing the host runs the products on the module's cnnc_sgemm: every conv
    // through products (all three transpose cases) and SimpleCNN's fc layers on it here.
    System.out.println("-- the matrix products on " + CudaProgram.GEMM_KERNEL + ", cuBLAS's stand-in (-Dcnnc.cuda.blas=generated):");
    String was = System.getProperty("cnnc.cuda.blas");
    System.setProperty("cnnc.cuda.blas", "generated");
    try {
      for (SourceFile s : specs) {
        int before = rows.size();
        if (s.name().equals("every_op.cnn")) checkNetwork(rows, s, 4, Convolutions.GEMM);
        if (s.name().endsWith("seed_simple_cnn.cnn")) checkNetwork(rows, s, 4, Convolutions.AUTO);
        if (rows.size() > before) rows.get(before).getAsJsonObject().addProperty("products", CudaProgram.GEMM_KERNEL);
      }
    } finally {
      if (was == null) System.clearProperty("cnnc.cuda.blas");
      else System.setProperty("cnnc.cuda.blas", was);
    }
  }

  /**
   * One training step and one inference pass against the reference. Float32 and the double
   * reference can fall on different sides of a relu or max-pool tie for an input within rounding
   * of it, which moves a few gradients by about 1e-3 at that seed only; a wrong kernel is wrong at
   * every seed. So up to three seeds are tried, and the first that agrees passes the network.
   */
  /** One network's check, added to {@code rows}; a network that throws is reported and the check goes on. */
  void checkNetwork(JsonArray rows, SourceFile spec, int n, Convolutions convolutions) {
    try {
      rows.add(checkNetwork(spec, n, convolutions));
    } catch (CudaUnavailableException e) {
      throw e;
    } catch (Exception | AssertionError e) {
      failed("kernels " + spec.name() + " " + convolutions.name().toLowerCase(Locale.ROOT) + " " + n, e);
    }
  }

  JsonObject checkNetwork(SourceFile spec, int n, Convolutions convolutions) throws Exception {
    JsonObject row = null;
    double firstError = 0;
    for (int seed = 0; seed < 3; seed++) {
      JsonObject j = attempt(spec, n, seed, convolutions);
      if (seed == 0) firstError = j.get("worst_relative_error").getAsDouble();
      if (row == null || j.get("pass").getAsBoolean()) row = j;
      if (j.get("pass").getAsBoolean()) break;
    }
    boolean ok = row.get("pass").getAsBoolean();
    if (!ok) failures++;
    int seed = row.get("seed").getAsInt();
    System.out.printf("%-28s %-6s %6d %11.3g  %-44s %s%n", spec.name(), convolutions.name().toLowerCase(Locale.ROOT), n,
        row.get("worst_relative_error").getAsDouble(),
        row.get("worst_tensor").getAsString(), (ok ? "PASS" : "FAIL") + (ok && seed > 0
            ? String.format(" at seed %d (seed 0: %.3g, as when float and double part at a relu or max tie)", seed,
                firstError) : ""));
    if (!ok) for (var bad : row.getAsJsonArray("failing")) System.out.println("    " + bad.getAsString());
    return row;
  }

  JsonObject attempt(SourceFile spec, int n, int seed, Convolutions convolutions) throws Exception {
    Graph g = graph(spec);
    int maxBatch = n + 3;
    long t0 = System.nanoTime();
    try (CudaModel cuda = load(spec, maxBatch, options(), convolutions)) {
      double loadSeconds = (System.nanoTime() - t0) / 1e9;
      ReferenceModel ref = new ReferenceModel(g, maxBatch);
      ref.initialize(11 + seed);
      cuda.initialize(11 + seed);
      poison(cuda, maxBatch);
      CudaProgram p = cuda.program();
      float[] x = gaussian(n * p.inputSize(), 3 + seed);
      int[] labels = labels(n, p.classes(), 4 + seed);
      double[] p0 = widen(ref.parameterData());
      double[] b0 = widen(ref.bufferData());
      long t1 = System.nanoTime();
      StepResult r = cuda.trainStep(x, labels, n, 0.1f, 42);
      double stepSeconds = (System.nanoTime() - t1) / 1e9;
      ReferenceModel.Pass want = ref.lossAndGradients(p0, b0, widen(x), labels, n, 0.1, 42, true);
      Worst worst = new Worst();
      worst.add("loss", new double[] {r.lossSum()}, new double[] {want.lossSum()}, 0);
      tensors(worst, "d ", p.parameters(), cuda.gradientData(), want.gradients());
      tensors(worst, "", p.buffers(), cuda.bufferData(), want.buffersAfter());
      float[] logits = new float[n * p.classes()];
      cuda.infer(x, n, logits);
      ReferenceModel.Pass inferred = ref.lossAndGradients(p0, want.buffersAfter(), widen(x), labels, n, 0, 0, false);
      worst.add("inference logits", widen(logits), inferred.logits(), 0);
      if (r.correct() != want.correct()) worst.failing.add("correct " + r.correct() + " vs " + want.correct());
      JsonObject j = new JsonObject();
      j.addProperty("network", spec.name());
      j.addProperty("convolutions", convolutions.name().toLowerCase(Locale.ROOT));
      j.addProperty("images", n);
      j.addProperty("seed", seed);
      j.addProperty("worst_relative_error", worst.error);
      j.addProperty("worst_tensor", worst.where);
      j.addProperty("kernels", p.kernels().size());
      j.addProperty("load_seconds", loadSeconds);
      j.addProperty("first_step_seconds", stepSeconds);
      j.addProperty("pass", worst.failing.isEmpty());
      JsonArray failing = new JsonArray();
      worst.failing.forEach(failing::add);
      j.add("failing", failing);
      return j;
    }
  }

  /** NaN in every array and gradient: what a kernel reads without anything writing it shows up. */
  static void poison(CudaModel m, int maxBatch) {
    CudaProgram p = m.program();
    int nan = Float.floatToRawIntBits(Float.NaN);
    for (int i = 0; i < p.arrays().size(); i++) {
      CudaProgram.Array a = p.arrays().get(i);
      m.device().fill(m.address(CudaProgram.Ref.array(i)), nan, a.elements(maxBatch) * a.type().bytes / 4);
    }
    m.device().fill(m.address(CudaProgram.Ref.of(CudaProgram.Space.GRADS)), nan, p.parameterCount());
  }

  /** The largest relative error seen, and where; a tensor with a vanishing true value is measured at the RMS scale. */
  static final class Worst {
    double error;
    String where = "";
    final List<String> failing = new ArrayList<>();

    void add(String what, double[] got, double[] want, double floor) {
      double num = 0;
      double den = 0;
      for (int i = 0; i < want.length; i++) {
        num += (got[i] - want[i]) * (got[i] - want[i]);
        den += want[i] * want[i];
      }
      double e = Math.sqrt(num) / Math.max(Math.max(Math.sqrt(den), floor), 1e-30);
      if (Double.isNaN(e)) e = Double.POSITIVE_INFINITY;
      if (e > TOLERANCE) failing.add(String.format("%s: relative error %.3g", what, e));
      if (e >= error) {
        error = e;
        where = what;
      }
    }
  }

  static void tensors(Worst worst, String prefix, List<TensorSpec> specs, float[] got, double[] want) {
    double sum = 0;
    for (double w : want) sum += w * w;
    double rms = want.length == 0 ? 0 : Math.sqrt(sum / want.length);
    for (TensorSpec t : specs) {
      double[] a = new double[t.size()];
      double[] b = new double[t.size()];
      for (int i = 0; i < t.size(); i++) {
        a[i] = got[t.offset() + i];
        b[i] = want[t.offset() + i];
      }
      worst.add(prefix + t.name(), a, b, rms * Math.sqrt(t.size()));
    }
  }

  // ---- optimizers ----

  void optimizers() throws Exception {
    System.out.println("== GPU optimizers against the CPU optimizers (parameters and state, bit for bit, 3 steps)");
    JsonArray rows = new JsonArray();
    results.add("optimizers", rows); // filled as it goes: a step that stops keeps its rows
    List<OptimizerConfig> configs = List.of(OptimizerConfig.sgd(0.05, 0).withWeightDecay(1e-2),
        OptimizerConfig.sgd(0.05, 0.9).withNesterov(true).withWeightDecay(5e-4),
        OptimizerConfig.sgd(0.05, 0.9).withDampening(0.3), OptimizerConfig.adam(1e-3).withWeightDecay(1e-2),
        OptimizerConfig.adamW(1e-3, 0.05));
    for (OptimizerConfig config : configs) {
      try (CudaModel m = load(example("seed_simple_cnn.cnn"), 8, options())) {
        m.initialize(5);
        Optimizer cpu = config.create(m.parameters(), m.parameterData().length);
        float[] expected = m.parameterData().clone();
        Optimizer gpu = m.createOptimizer(config);
        float[] x = gaussian(8 * 3072, 8);
        int[] labels = labels(8, 10, 9);
        int differing = 0;
        for (int step = 0; step < 3; step++) {
          m.trainStep(x, labels, 8, 0f, step);
          cpu.step(expected, m.gradientData().clone(), 0.05 * (step + 1));
          gpu.step(null, null, 0.05 * (step + 1));
          float[] got = m.parameterData();
          for (int i = 0; i < got.length; i++) if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(expected[i])) differing++;
        }
        Map<String, float[]> a = cpu.exportState();
        Map<String, float[]> b = gpu.exportState();
        boolean sameState = a.keySet().equals(b.keySet());
        for (String k : a.keySet()) sameState &= b.containsKey(k) && Arrays.equals(a.get(k), b.get(k));
        boolean ok = differing == 0 && sameState;
        if (!ok) failures++;
        String name = config.kind() + " momentum " + config.momentum() + " nesterov " + config.nesterov() + " wd "
            + config.weightDecay() + " dampening " + config.dampening();
        System.out.printf("  %-70s %s%n", name, ok ? "PASS" : "FAIL (" + differing + " parameters differ, state "
            + (sameState ? "equal" : "differs") + ")");
        JsonObject j = new JsonObject();
        j.addProperty("optimizer", name);
        j.addProperty("differing_parameters", differing);
        j.addProperty("same_state", sameState);
        rows.add(j);
      }
      if (quick && emulate) break;
    }
  }

  // ---- run-time compilation ----

  void nvrtc() throws Exception {
    if (emulate) return;
    System.out.println("== NVRTC: SimpleCNN compiled at run time, against the precompiled cubin");
    SourceFile s = example("seed_simple_cnn.cnn");
    float[] x = gaussian(16 * 3072, 5);
    int[] labels = labels(16, 10, 6);
    float[][] grads = new float[2][];
    double[] loss = new double[2];
    Cuda.Options[] ways = {options(), options().withCompiler(Cuda.Compiler.NVRTC).withCache(null)};
    for (int w = 0; w < 2; w++) {
      try (CudaModel m = load(s, 16, ways[w])) {
        m.initialize(1);
        loss[w] = m.trainStep(x, labels, 16, 0f, 1).lossSum();
        grads[w] = m.gradientData().clone();
      } catch (CnncException e) {
        System.out.println("  FAIL: " + e.getMessage());
        failures++;
        results.addProperty("nvrtc", "failed: " + e.getMessage());
        return;
      }
    }
    Worst worst = new Worst();
    worst.add("gradients", widen(grads[1]), widen(grads[0]), 0);
    worst.add("loss", new double[] {loss[1]}, new double[] {loss[0]}, 0);
    boolean ok = worst.error <= TOLERANCE;
    if (!ok) failures++;
    System.out.printf("  NVRTC vs cubin: relative error %.3g in %s: %s%n", worst.error, worst.where, ok ? "PASS" : "FAIL");
    results.addProperty("nvrtc_relative_error", worst.error);
  }

  // ---- training on CIFAR-10, against the CPU ----

  /** A network trained on the slice in both places: the spec's own optimizer and augmentation, for a few epochs. */
  record Run(String file, String name, int epochs) {
    TrainConfig config(Graph g, Path out) {
      return TrainDefaults.apply(g.train(), TrainConfig.defaults()).withEpochs(epochs).withSeed(1).withOut(out);
    }
  }

  static final List<Run> RUNS = List.of(new Run("seed_simple_cnn.cnn", "SimpleCNN", 1), new Run("resnet20.cnn", "ResNet-20", 2));
  /** Test accuracy the GPU may differ from the CPU by: rounding alone, after this many steps (see the README). */
  static final double ACCURACY_TOLERANCE = 0.05;
  static final String CPU_REFERENCE = "cpu-reference.json";

  /** Trains each network of {@link #RUNS} on the generated Java (run here, by prepare.sh): what the GPU must match. */
  void cpuReference() throws Exception {
    requireData();
    JsonObject all = new JsonObject();
    JavaBackend java = new JavaBackend(Files.createTempDirectory("cnnc-classes"));
    for (Run run : RUNS) {
      SourceFile s = example(run.file());
      Graph g = graph(s);
      TrainConfig c = run.config(g, Files.createTempDirectory("cnnc-cpu"));
      System.out.println("== " + run.name() + " on the CPU: " + describe(c));
      long t0 = System.nanoTime();
      var m = java.load(Pipeline.run(g), s, c.batch(), Runtime.getRuntime().availableProcessors());
      m.initialize(seed);
      TrainResult r = new Trainer(c, System.out).train(m, slice(true), slice(false));
      JsonObject j = com.google.gson.JsonParser.parseString(r.toJsonLine()).getAsJsonObject();
      j.addProperty("init_seed", seed);
      j.addProperty("seconds", (System.nanoTime() - t0) / 1e9);
      all.add(run.name(), j);
    }
    Files.createDirectories(out);
    Files.writeString(out.resolve(CPU_REFERENCE), new GsonBuilder().setPrettyPrinting().create().toJson(all) + "\n");
  }

  /**
   * Each network of {@link #RUNS} trained on the GPU from the same initial parameters, data order
   * and augmentation as {@link #cpuReference}; their test accuracies must agree within
   * {@link #ACCURACY_TOLERANCE} and beat chance by far.
   */
  void train() throws Exception {
    if (data == null) {
      System.out.println("== training: skipped (no --data)");
      return;
    }
    Path refFile = cubins.resolveSibling(CPU_REFERENCE);
    JsonObject cpu = Files.exists(refFile)
        ? com.google.gson.JsonParser.parseString(Files.readString(refFile)).getAsJsonObject() : new JsonObject();
    JsonArray rows = new JsonArray();
    results.add("train", rows); // filled as it goes: a step that stops keeps its rows
    for (Run run : quick ? RUNS.subList(0, 1) : RUNS) {
      SourceFile s = example(run.file());
      Graph g = graph(s);
      Path runDir = Files.createTempDirectory("cnnc-train");
      TrainConfig c = run.config(g, runDir);
      System.out.println("== " + run.name() + " on the GPU, the CIFAR-10 slice in " + data + ": " + describe(c));
      long t0 = System.nanoTime();
      // the CPU run's initial parameters (--seed when that run was made), else this run's --seed
      JsonObject reference = cpu.has(run.name()) ? cpu.getAsJsonObject(run.name()) : null;
      long init = reference != null && reference.has("init_seed") ? reference.get("init_seed").getAsLong() : seed;
      try (CudaModel m = load(s, c.batch(), options())) {
        m.initialize(init);
        TrainResult r = new Trainer(c, System.out).train(m, slice(true), slice(false));
        double seconds = (System.nanoTime() - t0) / 1e9;
        Files.createDirectories(out);
        Files.copy(runDir.resolve(Trainer.METRICS), out.resolve(run.file().replace(".cnn", "") + "-" + Trainer.METRICS),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        JsonObject j = com.google.gson.JsonParser.parseString(r.toJsonLine()).getAsJsonObject();
        j.addProperty("network", run.name());
        j.addProperty("seconds", seconds);
        List<String> problems = new ArrayList<>();
        if (!quick && !(r.testAcc() > 0.2)) problems.add("test accuracy " + r.testAcc() + " (chance is 0.1)");
        String versus = "no CPU result in " + refFile;
        if (reference != null) {
          double want = reference.get("test_acc").getAsDouble();
          j.addProperty("cpu_test_acc", want);
          versus = String.format("CPU %.2f%%, difference %+.2f points", 100 * want, 100 * (r.testAcc() - want));
          if (!quick && Math.abs(r.testAcc() - want) > ACCURACY_TOLERANCE) {
            problems.add(String.format("%.2f points from the CPU's accuracy (allowed %.0f)", 100 * Math.abs(r.testAcc() - want),
                100 * ACCURACY_TOLERANCE));
          }
        }
        j.addProperty("pass", problems.isEmpty());
        System.out.printf("  %s: GPU test accuracy %.2f%% (%s) in %.1f s: %s%n", run.name(), 100 * r.testAcc(), versus,
            seconds, problems.isEmpty() ? "PASS" : "FAIL: " + String.join("; ", problems));
        if (!problems.isEmpty()) failures++;
        rows.add(j);
      }
    }
  }

  private static String describe(TrainConfig c) {
    return String.format("%d epoch%s, batch %d, %s lr %s momentum %s weight decay %s, crop %d%s", c.epochs(),
        c.epochs() == 1 ? "" : "s", c.batch(), c.optimizer().kind(), c.optimizer().lr(), c.optimizer().momentum(),
        c.optimizer().weightDecay(), c.cropPad(), c.flip() ? " + flip" : "");
  }

  private void requireData() {
    if (data == null) throw new IllegalArgumentException("--data DIR is required");
  }

  private Dataset slice(boolean train) throws IOException {
    return train ? Cifar10.loadTrain(data, quick ? 512 : 0) : Cifar10.loadTest(data, quick ? 256 : 0);
  }

  // ---- speed ----

  /** What the speed check times: network, batch; each with the default convolutions (AUTO), all direct and all on cuBLAS. */
  record Speed(String file, String name, int batch) {}

  static final List<Speed> SPEED = List.of(new Speed("seed_simple_cnn.cnn", "SimpleCNN", 64),
      new Speed("seed_simple_cnn.cnn", "SimpleCNN", 256), new Speed("resnet20.cnn", "ResNet-20", 128));
  static final List<Convolutions> WAYS = List.of(Convolutions.AUTO, Convolutions.DIRECT, Convolutions.GEMM);

  void bench() throws Exception {
    System.out.println("== training speed: trainStep + optimizer step (SGD 0.01, momentum 0.9) per batch, batch from host"
        + " memory, loss read every step (as the Trainer does); median of 5 runs of 100 steps");
    JsonArray rows = new JsonArray();
    results.add("bench", rows); // filled as it goes: a step that stops keeps its rows
    for (Speed run : quick ? List.of(new Speed("seed_simple_cnn.cnn", "SimpleCNN", 8)) : SPEED) {
      int batch = run.batch();
      for (Convolutions way : WAYS) {
        try (CudaModel m = load(example(run.file()), batch, options(), way)) {
          CudaSpeed speed = new CudaSpeed(m, batch);
          int steps = quick ? 3 : 100;
          speed.train(quick ? 2 : 30); // warm-up
          double[] train = new double[quick ? 1 : 5];
          for (int rep = 0; rep < train.length; rep++) train[rep] = speed.train(steps);
          double[] infer = new double[train.length];
          for (int rep = 0; rep < infer.length; rep++) infer[rep] = speed.infer(steps);
          double trainMedian = CudaSpeed.median(train);
          double inferMedian = CudaSpeed.median(infer);
          System.out.printf("  %-9s batch %4d, %-6s conv: training %,10.0f images/s (runs %s), inference %,10.0f"
              + " images/s%n", run.name(), batch, way.name().toLowerCase(Locale.ROOT), trainMedian, rounded(train), inferMedian);
          JsonObject j = new JsonObject();
          j.addProperty("network", run.name());
          j.addProperty("batch", batch);
          j.addProperty("convolutions", way.name().toLowerCase(Locale.ROOT));
          j.addProperty("train_images_per_s", trainMedian);
          j.addProperty("infer_images_per_s", inferMedian);
          JsonArray runs = new JsonArray();
          for (double t : train) runs.add(t);
          j.add("train_runs", runs);
          rows.add(j);
        }
      }
    }
  }

  /** Where a step's time goes, launch by launch (each followed by a wait). */
  void profile() throws Exception {
    System.out.println("== time per launch (µs, median of 20, each launch followed by a wait)");
    JsonObject all = new JsonObject();
    results.add("profile", all);
    for (String[] net : quick ? new String[][] {{"seed_simple_cnn.cnn", "4"}}
        : new String[][] {{"seed_simple_cnn.cnn", "64"}, {"resnet20.cnn", "128"}}) {
      int n = Integer.parseInt(net[1]);
      for (Convolutions way : WAYS) {
        try (CudaModel m = load(example(net[0]), n, options(), way)) {
          m.initialize(1);
          List<CudaModel.StepTime> times = m.profile(gaussian(n * 3072, 1), labels(n, 10, 2), n, quick ? 3 : 20);
          double total = times.stream().mapToDouble(CudaModel.StepTime::micros).sum();
          System.out.printf("  %s, batch %d, %s conv: %.0f µs in %d launches; the largest:%n", net[0], n,
              way.name().toLowerCase(Locale.ROOT), total, times.size());
          JsonArray rows = new JsonArray();
          times.stream().sorted((a, b) -> Double.compare(b.micros(), a.micros())).limit(12).forEach(t ->
              System.out.printf("    %8.1f  %-9s %-40s %s%n", t.micros(), t.phase(), t.kernel(), t.what()));
          for (CudaModel.StepTime t : times) {
            JsonObject j = new JsonObject();
            j.addProperty("phase", t.phase());
            j.addProperty("kernel", t.kernel());
            j.addProperty("what", t.what());
            j.addProperty("micros", t.micros());
            rows.add(j);
          }
          all.add(net[0] + "@" + n + "/" + way.name().toLowerCase(Locale.ROOT), rows);
        }
      }
    }
  }

  // ---- precompiled cubins (run where nvcc is, no GPU needed) ----

  void cubins() throws Exception {
    Path nvcc = CudaCompiler.findNvcc();
    if (nvcc == null) throw new IllegalStateException("nvcc is not on the PATH");
    Files.createDirectories(cubins);
    for (SourceFile s : specs()) {
      for (Convolutions way : ways(s)) {
        CudaEmitter.Output o = CudaEmitter.emit(Pipeline.run(graph(s)), s, way);
        byte[] cubin = CudaCompiler.nvcc(nvcc, o.source(), o.fileName(), "sm_90");
        CudaCompiler.store(cubins, o.fileName(), o.source(), "sm_90", cubin);
        System.out.println("  " + CudaCompiler.cubinPath(cubins, o.fileName(), o.source(), "sm_90").getFileName() + " ("
            + way.name().toLowerCase(Locale.ROOT) + " conv) " + cubin.length + " bytes");
      }
    }
  }

  /**
   * The ways a network's convolutions are checked and timed: the default, AUTO, for every network;
   * also all direct and all on cuBLAS for every_op (every conv case) and for the two networks the
   * speed check times.
   */
  static List<Convolutions> ways(SourceFile s) {
    if (s.name().equals("every_op.cnn") || s.name().contains("seed_simple_cnn") || s.name().contains("resnet20")) {
      return WAYS;
    }
    return List.of(Convolutions.AUTO);
  }

  // ---- helpers ----

  void save() throws IOException {
    Files.createDirectories(out);
    Files.writeString(out.resolve("cnnc.json"), new GsonBuilder().setPrettyPrinting()
        .serializeSpecialFloatingPointValues().create().toJson(results) + "\n");
  }

  static float[] gaussian(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian());
    return x;
  }

  static int[] labels(int n, int k, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] l = new int[n];
    for (int i = 0; i < n; i++) l[i] = r.nextInt(k);
    return l;
  }

  static double[] widen(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }

  static String rounded(double[] v) {
    StringBuilder b = new StringBuilder();
    for (double d : v) b.append(b.length() > 0 ? " " : "").append(String.format("%.0f", d));
    return b.toString();
  }
}
