// Every generated CUDA kernel of every example, run on the CPU emulator through the real host code
// (CudaModel), against the reference interpreter: loss, every gradient, running statistics and
// inference logits. Skipped where no C++ compiler is installed.
package dev.cnnc.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cnnc.compiler.Pipeline;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.emit.CudaEmitter;
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
import org.junit.jupiter.params.provider.ValueSource;

class CudaKernelsTest {
  static final int MAX_BATCH = 5;
  /** Fewer images than the buffers hold, so kernels must honour n. Four: with three, VGG's last batch norms
   *  average 12 values, and float rounding in their backward grows to 2e-3. */
  static final int N = 4;
  /**
   * Relative L2 error per tensor. Float32 kernels land near 5e-6 against the double reference. A
   * tensor whose true gradient vanishes (a conv bias under a batch norm) is measured against the
   * norm it would have at the model's RMS gradient instead of its own.
   */
  static final double TOLERANCE = 1e-4;
  static final List<String> EXAMPLES = List.of("seed_simple_cnn.cnn", "lenet5.cnn", "resnet20.cnn", "vgg11.cnn",
      "airbench94.cnn");

  /** A network built to reach every op, fusion and padding case the examples do not. */
  static final String EVERY_OP = """
      block proj(c) {
        residual(projection) { a: conv(c, k3, s2, p1, nobias) -> bn -> relu -> b: conv(c, k3, p1) -> bn }
      }
      network EveryOp {
        input 3x9x9
        stem: conv(3, 6, k4, same) -> lrelu: leaky_relu(0.2) -> sig: sigmoid
        wide: conv(6, 8, k3, p2, d2) -> gelu -> bn -> tanh
        -> pool(k3, s2, p1)
        skip: residual { r1: conv(8, k3, p1) -> bn -> relu -> r2: conv(8, k3, p1) } -> relu
        down: proj(12)
        pad: residual(zeropad) { z: conv(16, k3, s2, p1) -> bn } -> relu
        -> avgpool(k2, s1, p1) -> drop: dropout(0.3) -> gap
        f1: fc(16, 12) -> bn -> relu -> dropout(0.25) -> f2: fc(12, 7) -> softmax -> f3: fc(7, 5) -> softmax
      }
      """;

  @BeforeAll
  static void buildEmulators() throws Exception {
    assumeTrue(CudaEmulator.compiler() != null, "no C++ compiler on the PATH to emulate the kernels");
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
    try {
      List<java.util.concurrent.Future<?>> builds = new ArrayList<>();
      List<SourceFile> sources = new ArrayList<>();
      for (String e : EXAMPLES) sources.add(Nets.example(e));
      sources.add(new SourceFile("every_op.cnn", EVERY_OP));
      for (SourceFile s : sources) builds.add(pool.submit(() -> CudaEmulator.build(emit(s))));
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
    check(new SourceFile("every_op.cnn", EVERY_OP));
  }

  static CudaEmitter.Output emit(SourceFile source) {
    return CudaEmitter.emit(Pipeline.run(Nets.graph(source)), source);
  }

  /** One training step and one inference pass of {@link #N} images, every result compared. */
  static void check(SourceFile source) {
    Graph g = Nets.graph(source);
    CudaEmitter.Output out = CudaEmitter.emit(Pipeline.run(g), source);
    CudaProgram program = out.program();
    try (CudaModel cuda = new CudaModel(new CudaEmulator(CudaEmulator.build(out), program), program, MAX_BATCH)) {
      ReferenceModel ref = new ReferenceModel(g, MAX_BATCH);
      ref.initialize(11);
      cuda.initialize(11);
      poisonEveryArray(cuda, MAX_BATCH);
      int k = program.classes();
      float[] x = Nets.randomFloats(N * program.inputSize(), 3, 1.0);
      int[] labels = Nets.labels(N, k, 4);
      double[] p0 = Nets.widen(ref.parameterData());
      double[] b0 = Nets.widen(ref.bufferData());

      StepResult r = cuda.trainStep(x, labels, N, 0.1f, 42);
      ReferenceModel.Pass want = ref.lossAndGradients(p0, b0, Nets.widen(x), labels, N, 0.1, 42, true);
      List<String> problems = new ArrayList<>();
      compare(problems, "loss", new double[] {r.lossSum()}, new double[] {want.lossSum()}, 0);
      if (r.correct() != want.correct()) problems.add("correct: " + r.correct() + " vs " + want.correct());
      compareTensors(problems, "gradient of ", program.parameters(), cuda.gradientData(), want.gradients());
      compareTensors(problems, "", program.buffers(), cuda.bufferData(), want.buffersAfter());

      float[] logits = new float[N * k];
      cuda.infer(x, N, logits);
      ReferenceModel.Pass inferred = ref.lossAndGradients(p0, want.buffersAfter(), Nets.widen(x), labels, N, 0, 0, false);
      compare(problems, "inference logits", Nets.widen(logits), inferred.logits(), 0);
      assertTrue(problems.isEmpty(), source.name() + ":\n  " + String.join("\n  ", problems));
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

  static void compareTensors(List<String> problems, String prefix, List<TensorSpec> specs, float[] got, double[] want) {
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
      compare(problems, prefix + t.name(), a, b, rms * Math.sqrt(t.size()));
    }
  }

  /** Fails when ‖got − want‖ > TOLERANCE · max(‖want‖, floor), or anything is NaN. */
  static void compare(List<String> problems, String what, double[] got, double[] want, double floor) {
    assertEquals(want.length, got.length, what);
    double num = 0;
    double den = 0;
    for (int i = 0; i < want.length; i++) {
      num += (got[i] - want[i]) * (got[i] - want[i]);
      den += want[i] * want[i];
    }
    double error = Math.sqrt(num) / Math.max(Math.max(Math.sqrt(den), floor), 1e-30);
    if (!(error <= TOLERANCE)) problems.add(what + ": " + Nets.compare(got, want) + " (measured " + error + ")");
  }
}
