// The host side of the CUDA model against a pretend device that only moves memory: when host
// mirrors are uploaded and downloaded, and that a step's launches see the right addresses.
package dev.cnnc.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnnc.runtime.CnncException;
import dev.cnnc.runtime.StepResult;
import dev.cnnc.runtime.TensorSpec;
import dev.cnnc.runtime.cpu.Init;
import dev.cnnc.runtime.cuda.CudaProgram.Arg;
import dev.cnnc.runtime.cuda.CudaProgram.CType;
import dev.cnnc.runtime.cuda.CudaProgram.Count;
import dev.cnnc.runtime.cuda.CudaProgram.Gemm;
import dev.cnnc.runtime.cuda.CudaProgram.Launch;
import dev.cnnc.runtime.cuda.CudaProgram.Param;
import dev.cnnc.runtime.cuda.CudaProgram.Ref;
import dev.cnnc.runtime.cuda.CudaProgram.Scalar;
import dev.cnnc.runtime.cuda.CudaProgram.Space;
import dev.cnnc.runtime.optim.Optimizer;
import dev.cnnc.runtime.optim.OptimizerConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CudaModelTest {
  /** Device memory as Java arrays; "kernels" are Java lambdas over it. */
  static class FakeDevice implements Device {
    final Map<Long, float[]> memory = new HashMap<>();
    final List<String> log = new ArrayList<>();
    final Map<String, java.util.function.Consumer<long[]>> kernels = new HashMap<>();
    final List<String> names = new ArrayList<>();
    long next = 1 << 20;

    float[] at(long address) {
      for (var e : memory.entrySet()) {
        if (address >= e.getKey() && address < e.getKey() + 4L * e.getValue().length) return e.getValue();
      }
      throw new IllegalArgumentException("no array at " + address);
    }

    int offset(long address) {
      for (var e : memory.entrySet()) {
        if (address >= e.getKey() && address < e.getKey() + 4L * e.getValue().length) return (int) ((address - e.getKey()) / 4);
      }
      throw new IllegalArgumentException("no array at " + address);
    }

    public String description() {
      return "fake";
    }

    public long allocate(long bytes) {
      long a = next;
      memory.put(a, new float[(int) ((bytes + 3) / 4)]);
      next += bytes + 4096;
      return a;
    }

    public void upload(long dst, float[] src, int from, int count) {
      log.add("upload " + count);
      System.arraycopy(src, from, at(dst), offset(dst), count);
    }

    public void upload(long dst, int[] src, int from, int count) {
      for (int i = 0; i < count; i++) at(dst)[offset(dst) + i] = src[from + i];
    }

    public void download(long src, float[] dst, int from, int count) {
      log.add("download " + count);
      System.arraycopy(at(src), offset(src), dst, from, count);
    }

    public void download(long src, double[] dst, int from, int count) {
      for (int i = 0; i < count; i++) dst[from + i] = at(src)[offset(src) + 2 * i];
    }

    public void fill(long dst, int bits, long count) {
      java.util.Arrays.fill(at(dst), offset(dst), offset(dst) + (int) count, Float.intBitsToFloat(bits));
    }

    public int kernel(String name) {
      names.add(name);
      return names.size() - 1;
    }

    public void launch(int kernel, int gridX, int gridY, int block, int sharedBytes, long[] args) {
      log.add("launch " + names.get(kernel));
      kernels.get(names.get(kernel)).accept(args);
    }

    public void sgemm(boolean ta, boolean tb, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
        float beta, long c, int ldc) {
      throw new UnsupportedOperationException();
    }

    public void synchronize() {}

    public void close() {
      log.add("close");
    }

    long uploadsOf(int count) {
      return log.stream().filter(l -> l.equals("upload " + count)).count();
    }

    long downloadsOf(int count) {
      return log.stream().filter(l -> l.equals("download " + count)).count();
    }
  }

  static final int P = 6;

  /**
   * Six parameters (w decays, b does not) and one buffer; the "training step" sets every gradient to
   * the parameter plus one and counts steps in the buffer; the loss is 2.5 per image; "SGD" is
   * p −= lr·(g + wd·p) as the real kernel's plain branch.
   */
  static CudaProgram program() {
    return program(List.of());
  }

  /** As {@link #program()}, claiming batch norms over one value per channel. */
  static CudaProgram program(List<String> oneValueBatchNorms) {
    List<TensorSpec> params = List.of(new TensorSpec("fc.weight", new int[] {2, 2}, 0, true),
        new TensorSpec("fc.bias", new int[] {2}, 4, false));
    List<TensorSpec> buffers = List.of(new TensorSpec("bn.running_mean", new int[] {1}, 0, false));
    List<Init.Spec> inits = List.of(new Init.Spec(false, 0, 4, Init.Kind.UNIFORM_FAN_IN, 2),
        new Init.Spec(false, 4, 2, Init.Kind.ZEROS, 2), new Init.Spec(true, 0, 1, Init.Kind.ONES, 1));
    List<CudaProgram.Kernel> kernels = List.of(
        new CudaProgram.Kernel("grad", List.of(new Param("float*", "g"), new Param("const float*", "p"),
            new Param("float*", "buf"), new Param("int", "n")), false),
        new CudaProgram.Kernel("loss", List.of(new Param("double*", "stats"), new Param("int", "n")), false),
        new CudaProgram.Kernel("logits", List.of(new Param("float*", "y"), new Param("const float*", "x"),
            new Param("int", "n")), false),
        new CudaProgram.Kernel("sgd", List.of(new Param("float*", "p"), new Param("const float*", "g"),
            new Param("const float*", "decay"), new Param("float", "lr"), new Param("float", "wd"),
            new Param("int", "n")), false));
    Count one = Count.of(1);
    Launch grad = new Launch(0, one, one, 32, 0, List.of(new Arg.Pointer(Ref.of(Space.GRADS)),
        new Arg.Pointer(Ref.of(Space.PARAMS)), new Arg.Pointer(Ref.of(Space.BUFFERS)), new Arg.Value(Scalar.BATCH)), "");
    Launch loss = new Launch(1, one, one, 32, 0, List.of(new Arg.Pointer(Ref.array(0)), new Arg.Value(Scalar.BATCH)), "");
    Launch logits = new Launch(2, one, one, 32, 0, List.of(new Arg.Pointer(Ref.array(1)),
        new Arg.Pointer(Ref.of(Space.INPUT)), new Arg.Value(Scalar.BATCH)), "");
    Launch sgd = new Launch(3, one, one, 32, 0, List.of(new Arg.Pointer(Ref.of(Space.PARAMS)),
        new Arg.Pointer(Ref.of(Space.GRADS)), new Arg.Pointer(Ref.of(Space.DECAY)), new Arg.Value(Scalar.LR),
        new Arg.Value(Scalar.WEIGHT_DECAY), new Arg.Value(Scalar.BATCH)), "");
    return new CudaProgram("Fake", "Fake.cu", "", new int[] {1, 1, 2}, 2, params, buffers, oneValueBatchNorms, inits,
        List.of(new CudaProgram.Array("loss.stats", CType.DOUBLE, 0, 2, ""), new CudaProgram.Array("y", CType.FLOAT, 2, 0, "")),
        kernels, List.of(grad), List.of(loss), List.of(), List.of(logits), Ref.array(1), Ref.array(0), sgd, sgd);
  }

  /**
   * Without cuBLAS the products launch the program's cnnc_sgemm with sgemm's arguments; a program
   * made before it existed, or a misspelt -Dcnnc.cuda.blas, is refused with the reason.
   */
  @Test
  void withoutCublasAProductLaunchesTheGeneratedKernelOrSaysWhyItCannot() {
    CudaProgram base = program();
    Gemm product = new Gemm(true, false, Count.of(2), Count.perImage(1), Count.of(2), 1f, Ref.of(Space.PARAMS), 2,
        Ref.of(Space.INPUT), 2, 0f, Ref.array(1), 2, "y = w · x");
    java.util.function.Function<List<CudaProgram.Kernel>, CudaProgram> withProduct = kernels -> new CudaProgram(
        base.name(), base.fileName(), base.source(), base.inputShape(), base.classes(), base.parameters(),
        base.buffers(), base.oneValueBatchNorms(), base.inits(), base.arrays(), kernels, base.trainForward(),
        base.loss(), base.backward(), List.of(product), base.inferLogits(), base.lossStats(), base.sgd(), base.adam());
    class NoBlas extends FakeDevice {
      @Override
      public String blasProblem() {
        return "libcublas.so.13 is not installed";
      }
    }
    CnncException old = assertThrows(CnncException.class, () -> model(new NoBlas(), withProduct.apply(base.kernels())));
    assertTrue(old.getMessage().contains("cuBLAS is not available (libcublas.so.13 is not installed), and Fake.cu has"
        + " no cnnc_sgemm kernel"), old.getMessage());

    List<CudaProgram.Kernel> kernels = new ArrayList<>(base.kernels());
    kernels.add(new CudaProgram.Kernel(CudaProgram.GEMM_KERNEL, List.of(), false));
    NoBlas d = new NoBlas();
    List<long[]> calls = new ArrayList<>();
    d.kernels.put(CudaProgram.GEMM_KERNEL, calls::add);
    CudaModel m = model(d, withProduct.apply(kernels));
    assertTrue(m.generatedProducts());
    m.infer(new float[] {1, 2, 3, 4, 5, 6}, 3, new float[6]);
    assertEquals(1, calls.size());
    long[] a = calls.get(0);
    assertEquals(List.of(1L, 0L, 2L, 3L, 2L), List.of(a[0], a[1], a[2], a[3], a[4]), "transA, transB, m, n = 3 images, k");
    assertEquals(1f, Float.intBitsToFloat((int) a[5]));
    assertEquals(0f, Float.intBitsToFloat((int) a[10]));
    assertEquals(List.of(2L, 2L, 2L), List.of(a[7], a[9], a[12]), "lda, ldb, ldc");

    String was = System.getProperty("cnnc.cuda.blas");
    System.setProperty("cnnc.cuda.blas", "cublass");
    try {
      CnncException bad = assertThrows(CnncException.class, () -> model(new FakeDevice(), withProduct.apply(kernels)));
      assertEquals("-Dcnnc.cuda.blas=cublass: use cublas (the default) or generated", bad.getMessage());
    } finally {
      if (was == null) System.clearProperty("cnnc.cuda.blas");
      else System.setProperty("cnnc.cuda.blas", was);
    }
  }

  static CudaModel model(FakeDevice d) {
    return model(d, program());
  }

  static CudaModel model(FakeDevice d, CudaProgram program) {
    d.kernels.put("grad", a -> {
      float[] g = d.at(a[0]), p = d.at(a[1]), buf = d.at(a[2]);
      for (int i = 0; i < P; i++) g[i] = p[i] + 1;
      buf[0] += 1;
    });
    d.kernels.put("loss", a -> {
      d.at(a[0])[d.offset(a[0])] = 2.5f * (int) a[1];
      d.at(a[0])[d.offset(a[0]) + 2] = 1;
    });
    d.kernels.put("logits", a -> {
      int n = (int) a[2];
      for (int i = 0; i < 2 * n; i++) d.at(a[0])[d.offset(a[0]) + i] = d.at(a[1])[i] * 10;
    });
    d.kernels.put("sgd", a -> {
      float[] p = d.at(a[0]), g = d.at(a[1]), decay = d.at(a[2]);
      float lr = Float.intBitsToFloat((int) a[3]), wd = Float.intBitsToFloat((int) a[4]);
      for (int i = 0; i < P; i++) p[i] -= lr * (g[i] + wd * decay[i] * p[i]);
    });
    CudaModel m = new CudaModel(d, program, 4);
    m.initialize(3);
    return m;
  }

  @Test
  void aStepUploadsTheBatchRunsEveryPhaseAndReportsTheLoss() {
    FakeDevice d = new FakeDevice();
    CudaModel m = model(d);
    float[] init = m.parameterData().clone();
    StepResult r = m.trainStep(new float[] {1, 2, 3, 4}, new int[] {0, 1}, 2, 0f, 7);
    assertEquals(5.0, r.lossSum());
    assertEquals(1, r.correct());
    for (int i = 0; i < P; i++) assertEquals(init[i] + 1, m.gradientData()[i]);
    assertEquals(2f, m.bufferData()[0], "the ones-initialised running mean, plus one step");
    float[] logits = new float[4];
    m.infer(new float[] {1, 2, 3, 4}, 2, logits);
    assertArrayEquals(new float[] {10, 20, 30, 40}, logits);
  }

  @Test
  void withTheCpuOptimizerParametersGoUpAndGradientsComeDownEveryStep() {
    FakeDevice d = new FakeDevice();
    CudaModel m = model(d);
    Optimizer sgd = OptimizerConfig.sgd(0.1, 0).create(m.parameters(), P);
    float[] params = m.parameterData();
    float[] grads = m.gradientData();
    float[] expected = params.clone();
    for (int step = 0; step < 3; step++) {
      m.trainStep(new float[] {1, 2, 3, 4}, new int[] {0, 1}, 2, 0f, step);
      for (int i = 0; i < P; i++) assertEquals(expected[i] + 1, grads[i], "gradient of the parameters written last step");
      sgd.step(params, grads, 0.1);
      for (int i = 0; i < P; i++) expected[i] -= 0.1f * (expected[i] + 1);
    }
    assertEquals(1 + 3, d.uploadsOf(P), "the decay mask at construction, then the parameters before each step");
    assertEquals(3, d.downloadsOf(P), "the gradients, after each step");
    assertArrayEquals(expected, m.parameterData());
  }

  @Test
  void withTheDeviceOptimizerNothingCrossesPerStepButTheHostStillSeesTheResult() {
    FakeDevice d = new FakeDevice();
    CudaModel m = model(d);
    Optimizer sgd = m.createOptimizer(OptimizerConfig.sgd(0.1, 0).withWeightDecay(0.5));
    float[] expected = m.parameterData().clone(); // a hand-out: uploaded once, before the first step
    for (int step = 0; step < 3; step++) {
      m.trainStep(new float[] {1, 2, 3, 4}, new int[] {0, 1}, 2, 0f, step);
      sgd.step(null, null, 0.1);
      for (int i = 0; i < P; i++) {
        float wd = i < 4 ? 0.5f : 0f;
        expected[i] -= 0.1f * ((expected[i] + 1) + wd * expected[i]);
      }
    }
    assertEquals(1 + 1, d.uploadsOf(P), "the decay mask at construction, then the parameters once");
    assertEquals(0, d.downloadsOf(P));
    float[] p = m.parameterData();
    for (int i = 0; i < P; i++) assertEquals(expected[i], p[i], 1e-6f);
    assertEquals(3, sgd.steps());

    // What a checkpoint load writes into the hand-out reaches the device before the next step.
    p[0] = 42f;
    m.trainStep(new float[] {1, 2, 3, 4}, new int[] {0, 1}, 2, 0f, 9);
    assertEquals(43f, m.gradientData()[0]);
  }

  @Test
  void badBatchesAndLabelsAreRefusedBeforeAnythingRuns() {
    FakeDevice d = new FakeDevice();
    CudaModel m = model(d);
    assertThrows(IllegalArgumentException.class, () -> m.trainStep(new float[8], new int[4], 5, 0f, 0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> m.trainStep(new float[4], new int[] {0, 2}, 2, 0f, 0));
    assertEquals("label 2 of image 1 is outside 0..1", e.getMessage());
    assertTrue(d.log.stream().noneMatch(l -> l.startsWith("launch")));
    m.close();
    assertThrows(IllegalStateException.class, () -> m.infer(new float[4], 2, new float[4]));
  }

  @Test
  void aBatchOfOneIsRefusedWhenABatchNormSeesOneValuePerChannel() {
    FakeDevice d = new FakeDevice();
    CudaModel m = model(d, program(List.of("bn_0 at 4:28 (32 features)")));
    assertEquals(2, m.minTrainBatch());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> m.trainStep(new float[2], new int[1], 1, 0f, 0));
    assertTrue(e.getMessage().startsWith("A batch of one image cannot train Fake: its batch norm bn_0 at 4:28"
        + " (32 features) sees one value per channel"), e.getMessage());
    assertTrue(d.log.stream().noneMatch(l -> l.startsWith("launch")));
    m.trainStep(new float[4], new int[2], 2, 0f, 0);
    m.infer(new float[2], 1, new float[2]);
    assertEquals(1, model(new FakeDevice()).minTrainBatch());
  }

  @Test
  void aBatchTooLargeForIntIndicesIsRefusedWithAReason() {
    CnncException e = assertThrows(CnncException.class, () -> new CudaModel(new FakeDevice(),
        new CudaProgram("Big", "Big.cu", "", new int[] {3, 32, 32}, 10, List.of(), List.of(), List.of(), List.of(),
            List.of(new CudaProgram.Array("b0", CType.FLOAT, 1 << 20, 0, "")), List.of(), List.of(), List.of(), List.of(),
            List.of(), Ref.array(0), Ref.array(0), null, null), 4096));
    assertTrue(e.getMessage().contains("more than the kernels' 32-bit indices reach"), e.getMessage());
  }
}
