// Every generated CUDA kernel of every example, run on the CPU emulator through the real host code
// (CudaModel), against the reference interpreter: loss, every gradient, running statistics and
// inference logits. Skipped where no C++ compiler is installed.
package dev.cnnc.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cnnc.compiler.Pipeline;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.emit.CudaEmitter;
import dev.cnnc.compiler.ops.CudaGen.Convolutions;
import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.reference.ReferenceModel;
import dev.cnnc.runtime.StepResult;
import dev.cnnc.runtime.TensorSpec;
import dev.cnnc.runtime.cuda.CudaModel;
import dev.cnnc.runtime.cuda.CudaProgram;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class CudaKernelsTest {
  static final int MAX_BATCH = 5;
  /** Fewer images than the buffers hold, so kernels must honour n. */
  static final int N = 4;
  /**
   * Relative L2 error per tensor. Float32 kernels land near 5e-6 against the double reference. A
   * tensor whose true gradient vanishes is measured against the norm it would have at the model's
   * RMS gradient instead of its own, and a bias under a batch norm (exactly 0) against its layer's
   * weight gradient if that is larger (Nets.biasesUnderBatchNorm).
   */
  static final double TOLERANCE = 1e-4;
  /**
   * Float32 and the double reference can fall on different sides of a relu or max-pool tie when an
   * input lies within rounding of it; the gradients through that element then differ by about 1e-3
   * of their tensor's norm, at that seed only (seen with ResNet-32 and with VGG-11 at 3 images). A
   * wrong kernel is wrong at every seed, so a network is tried at up to this many seeds and passes
   * when one agrees.
   */
  static final int SEEDS = 3;
  static final List<String> EXAMPLES = List.of("seed_simple_cnn.cnn", "lenet5.cnn", "resnet20.cnn", "vgg11.cnn",
      "airbench94.cnn");

  /** A network built to reach every op, fusion and padding case the examples do not. */
  static SourceFile everyOp() {
    try (var in = CudaKernelsTest.class.getResourceAsStream("/every_op.cnn")) {
      return new SourceFile("every_op.cnn", new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeAll
  static void buildEmulators() throws Exception {
    assumeTrue(CudaEmulator.compiler() != null, "no C++ compiler on the PATH to emulate the kernels");
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
    try {
      List<java.util.concurrent.Future<?>> builds = new ArrayList<>();
      List<SourceFile> sources = new ArrayList<>();
      for (String e : EXAMPLES) sources.add(Nets.example(e));
      sources.add(everyOp());
      for (SourceFile s : sources) builds.add(pool.submit(() -> CudaEmulator.build(emit(s))));
      for (Convolutions c : List.of(Convolutions.DIRECT, Convolutions.GEMM)) {
        builds.add(pool.submit(() -> CudaEmulator.build(emit(everyOp(), c))));
      }
      builds.add(pool.submit(() -> CudaEmulator.build(emit(Nets.example("seed_simple_cnn.cnn"), Convolutions.DIRECT))));
      for (var f : builds) f.get();
    } finally {
      pool.shutdown();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"seed_simple_cnn.cnn", "lenet5.cnn", "resnet20.cnn", "vgg11.cnn", "airbench94.cnn"})
  void everyKernelOfAnExampleMatchesTheReference(String file) {
    check(Nets.example(file));
  }

  @Test
  void everyOpFusionAndPaddingCaseMatchesTheReference() {
    check(everyOp());
  }

  /**
   * The examples above run the default, AUTO: most convolutions on cuBLAS, the RGB first layers
   * direct. Here every conv case (strides, dilation, "same" padding, folded batch norm) runs each way.
   */
  @ParameterizedTest
  @EnumSource(value = Convolutions.class, names = {"DIRECT", "GEMM"})
  void everyConvCaseMatchesTheReferenceWithEitherAlgorithm(Convolutions convolutions) {
    check(everyOp(), convolutions);
  }

  /** Layers before the first parameter launch no backward kernel; what follows must not miss it. */
  @Test
  void layersBeforeTheFirstParameterLaunchNoBackward() {
    SourceFile spec = new SourceFile("prefix.cnn",
        "network Prefix { input 3x8x8 drop: dropout(0.2) -> act: tanh -> pool -> conv(4, k3, p1) -> bn -> relu -> gap -> fc(3) }");
    CudaEmitter.Output out = emit(spec);
    for (String layer : List.of("drop", "act", "pool_0")) {
      assertFalse(out.source().contains(" " + layer + "_backward"), layer + " has a backward kernel");
      assertTrue(out.source().contains(" " + layer + "_forward"), layer + " has no forward kernel");
    }
    check(spec);
  }

  @Test
  void theSeedExampleMatchesTheReferenceWithDirectConvolutions() {
    check(Nets.example("seed_simple_cnn.cnn"), Convolutions.DIRECT);
  }

  /**
   * Without cuBLAS the host runs every product on the program's own {@code cnnc_sgemm} (the emulated
   * device refuses sgemm): the convs through im2row and products (all three transpose cases) and the
   * fc layers must still match the reference.
   */
  @Test
  void withoutCublasTheProductsRunOnTheGeneratedKernel() {
    check(everyOp(), Convolutions.GEMM, false);
    check(Nets.example("seed_simple_cnn.cnn"), Convolutions.AUTO, false);
    // fc a's input gradient adds to the shortcut's (beta = 1: C is read)
    check(new SourceFile("fc_residual.cnn", "network FcResidual { input 3x4x4 stem: conv(3, k1) -> flatten"
        + " -> residual { a: fc(48) -> relu -> b: fc(48) } -> relu out: fc(10) }"), Convolutions.AUTO, false);
  }

  /** cuBLAS refuses leading dimensions shorter than a column; the emulator must too, or the GPU would be first to see it. */
  @Test
  void theEmulatorRefusesTheSgemmArgumentsCublasRefuses() {
    CudaEmitter.Output out = emit(everyOp());
    try (CudaEmulator device = new CudaEmulator(CudaEmulator.build(out), out.program())) {
      long a = device.allocate(4 * 64);
      device.sgemm(false, false, 4, 4, 4, 1f, a, 4, a, 4, 0f, a, 4);
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> device.sgemm(false, true, 4, 4, 4, 1f, a, 4, a, 3, 0f, a, 4));
      assertTrue(e.getMessage().contains("cublasSgemm(NT, m 4, n 4, k 4, lda 4, ldb 3, ldc 4): invalid value"),
          e.getMessage());
    }
  }

  static CudaEmitter.Output emit(SourceFile source) {
    return emit(source, Convolutions.AUTO);
  }

  static CudaEmitter.Output emit(SourceFile source, Convolutions convolutions) {
    return CudaEmitter.emit(Pipeline.run(Nets.graph(source)), source, convolutions);
  }

  static void check(SourceFile source) {
    check(source, Convolutions.AUTO);
  }

  /** One training step and one inference pass of {@link #N} images, every result compared. */
  static void check(SourceFile source, Convolutions convolutions) {
    check(source, convolutions, true);
  }

  /** @param blas false: on a machine without cuBLAS, the products on the program's own kernel */
  static void check(SourceFile source, Convolutions convolutions, boolean blas) {
    List<String> first = null;
    for (long seed = 0; seed < SEEDS; seed++) {
      List<String> problems = new ArrayList<>();
      compareWithReference(source, convolutions, N, MAX_BATCH, seed, problems, blas);
      if (problems.isEmpty()) return;
      if (first == null) first = problems;
    }
    fail(source.name() + ", at every seed; at the first:\n  " + String.join("\n  ", first));
  }

  /** Adds a line to {@code problems} for each result off by more than TOLERANCE; returns the largest error. */
  static double compareWithReference(SourceFile source, Convolutions convolutions, int n, int maxBatch, long seed,
      List<String> problems) {
    return compareWithReference(source, convolutions, n, maxBatch, seed, problems, true);
  }

  static double compareWithReference(SourceFile source, Convolutions convolutions, int n, int maxBatch, long seed,
      List<String> problems, boolean blas) {
    final int N = n;
    final int MAX_BATCH = maxBatch;
    Graph g = Nets.graph(source);
    CudaEmitter.Output out = CudaEmitter.emit(Pipeline.run(g), source, convolutions);
    CudaProgram program = out.program();
    try (CudaModel cuda = new CudaModel(new CudaEmulator(CudaEmulator.build(out), program, blas), program, MAX_BATCH)) {
      assertEquals(!blas, cuda.generatedProducts());
      ReferenceModel ref = new ReferenceModel(g, MAX_BATCH);
      ref.initialize(11 + seed);
      cuda.initialize(11 + seed);
      poisonEveryArray(cuda, MAX_BATCH);
      int k = program.classes();
      float[] x = Nets.randomFloats(N * program.inputSize(), 3 + seed, 1.0);
      int[] labels = Nets.labels(N, k, 4 + seed);
      double[] p0 = Nets.widen(ref.parameterData());
      double[] b0 = Nets.widen(ref.bufferData());

      StepResult r = cuda.trainStep(x, labels, N, 0.1f, 42);
      ReferenceModel.Pass want = ref.lossAndGradients(p0, b0, Nets.widen(x), labels, N, 0.1, 42, true);
      double[] worst = {0};
      compare(problems, worst, "loss", new double[] {r.lossSum()}, new double[] {want.lossSum()}, 0);
      if (r.correct() != want.correct()) problems.add("correct: " + r.correct() + " vs " + want.correct());
      compareTensors(problems, worst, "gradient of ", program.parameters(), cuda.gradientData(), want.gradients(),
          Nets.biasesUnderBatchNorm(g));
      compareTensors(problems, worst, "", program.buffers(), cuda.bufferData(), want.buffersAfter(), java.util.Map.of());

      float[] logits = new float[N * k];
      cuda.infer(x, N, logits);
      ReferenceModel.Pass inferred = ref.lossAndGradients(p0, want.buffersAfter(), Nets.widen(x), labels, N, 0, 0, false);
      compare(problems, worst, "inference logits", Nets.widen(logits), inferred.logits(), 0);
      return worst[0];
    }
  }

  /** NaN in every activation, scratch and gradient array: a kernel that reads what nothing wrote poisons the results. */
  static void poisonEveryArray(CudaModel m, int maxBatch) {
    CudaProgram p = m.program();
    int nan = Float.floatToRawIntBits(Float.NaN);
    for (int i = 0; i < p.arrays().size(); i++) {
      CudaProgram.Array a = p.arrays().get(i);
      m.device().fill(m.address(CudaProgram.Ref.array(i)), nan, a.elements(maxBatch) * a.type().bytes / 4);
    }
    m.device().fill(m.address(CudaProgram.Ref.of(CudaProgram.Space.GRADS)), nan, p.parameterCount());
  }

  static void compareTensors(List<String> problems, double[] worst, String prefix, List<TensorSpec> specs, float[] got,
      double[] want, java.util.Map<String, String> zeroGradient) {
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
      compare(problems, worst, prefix + t.name(), a, b, Nets.floorFor(t, rms * Math.sqrt(t.size()), zeroGradient, specs, want));
    }
  }

  /** Fails when ‖got − want‖ > TOLERANCE · max(‖want‖, floor), or anything is NaN. */
  static void compare(List<String> problems, double[] worst, String what, double[] got, double[] want, double floor) {
    assertEquals(want.length, got.length, what);
    double num = 0;
    double den = 0;
    for (int i = 0; i < want.length; i++) {
      num += (got[i] - want[i]) * (got[i] - want[i]);
      den += want[i] * want[i];
    }
    double error = Math.sqrt(num) / Math.max(Math.max(Math.sqrt(den), floor), 1e-30);
    worst[0] = Math.max(worst[0], Double.isNaN(error) ? Double.POSITIVE_INFINITY : error);
    if (!(error <= TOLERANCE)) problems.add(what + ": " + Nets.compare(got, want) + " (measured " + error + ")");
  }
}
