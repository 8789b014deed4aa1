// What the CUDA emitter hands the runtime besides the .cu source: every device array a network
// needs and, for each phase of a step, the kernels and cuBLAS products to run, in order.
package dev.cnnc.runtime.cuda;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cnnc.runtime.TensorSpec;
import dev.cnnc.runtime.cpu.Init;
import java.util.List;

/**
 * A compiled network for the CUDA backend. Nothing here refers to CUDA itself: the host side
 * ({@link CudaModel}) resolves each {@link Ref} to a device address once, then replays the steps.
 *
 * @param fileName the name of the translation unit, "SimpleCNN.cu"
 * @param source the .cu translation unit: every kernel, no #include, compiles with nvcc or NVRTC
 * @param parameters trainable tensors, laid out as the compiler's Layout (the checkpoint layout)
 * @param buffers batch-norm running statistics, laid out as the compiler's Layout
 * @param oneValueBatchNorms the batch norms over one value per channel of an image, as
 *     {@link dev.cnnc.runtime.Model#oneValueBatchNorms()} describes them
 * @param arrays activations, gradients of activations and per-node scratch, beyond the above
 * @param trainForward the training-mode forward pass; leaves the logits for {@code loss}
 * @param loss softmax cross-entropy: writes d loss / d logits and {@code lossStats}
 * @param backward every gradient, from the logits back to the first layer's parameters
 * @param infer the inference forward pass (batch norm folded, no dropout), ending in {@code inferLogits}
 * @param lossStats two doubles: the summed loss and the number of correct top-1 predictions
 * @param sgd the SGD update of every parameter (momentum, dampening, Nesterov, weight decay)
 * @param adam the Adam / AdamW update of every parameter
 */
public record CudaProgram(
    String name,
    String fileName,
    String source,
    int[] inputShape,
    int classes,
    List<TensorSpec> parameters,
    List<TensorSpec> buffers,
    List<String> oneValueBatchNorms,
    List<Init.Spec> inits,
    List<Array> arrays,
    List<Kernel> kernels,
    List<Step> trainForward,
    List<Step> loss,
    List<Step> backward,
    List<Step> infer,
    Ref inferLogits,
    Ref lossStats,
    Step sgd,
    Step adam) {

  /**
   * The kernel every program with {@link Gemm} steps also carries: the same product as cuBLAS's
   * sgemm (column-major, op(A) and op(B) as its flags say), one thread per element of C, for
   * machines where cuBLAS is missing. Its parameters: transA, transB, m, n, k (ints), alpha, A, lda,
   * B, ldb, beta, C, ldc; blocks of {@link #GEMM_BLOCK} threads.
   */
  public static final String GEMM_KERNEL = "cnnc_sgemm";

  public static final int GEMM_BLOCK = 256;

  /** Whether any phase has a {@link Gemm} step (and so the program carries {@link #GEMM_KERNEL}). */
  public boolean hasProducts() {
    return hasProducts(List.of(trainForward, loss, backward, infer));
  }

  /** Whether any of these phases has a {@link Gemm} step; the emitter asks before the program exists. */
  public static boolean hasProducts(List<List<Step>> phases) {
    return phases.stream().flatMap(List::stream).anyMatch(s -> s instanceof Gemm);
  }

  public CudaProgram {
    inputShape = inputShape.clone();
    parameters = List.copyOf(parameters);
    buffers = List.copyOf(buffers);
    oneValueBatchNorms = List.copyOf(oneValueBatchNorms);
    inits = List.copyOf(inits);
    arrays = List.copyOf(arrays);
    kernels = List.copyOf(kernels);
    trainForward = List.copyOf(trainForward);
    loss = List.copyOf(loss);
    backward = List.copyOf(backward);
    infer = List.copyOf(infer);
  }

  @Override
  public int[] inputShape() {
    return inputShape.clone();
  }

  /** Floats in one input image, C·H·W. */
  public int inputSize() {
    return inputShape[0] * inputShape[1] * inputShape[2];
  }

  public int parameterCount() {
    return extent(parameters);
  }

  public int bufferCount() {
    return extent(buffers);
  }

  private static int extent(List<TensorSpec> specs) {
    int n = 0;
    for (TensorSpec s : specs) n = Math.max(n, s.offset() + s.size());
    return n;
  }

  /** Element types of device arrays and of scalar kernel arguments, with their C spelling. */
  public enum CType {
    FLOAT("float", 4),
    INT("int", 4),
    DOUBLE("double", 8),
    U64("unsigned long long", 8);

    public final String c;
    public final int bytes;

    CType(String c, int bytes) {
      this.c = c;
      this.bytes = bytes;
    }
  }

  /**
   * A device array of {@code perImage · maxBatch + fixed} elements, zeroed when allocated.
   *
   * @param comment what lives there, for the generated code's comments and for people
   */
  public record Array(String name, CType type, long perImage, long fixed, String comment) {
    public long elements(int maxBatch) {
      return Math.addExact(Math.multiplyExact(perImage, (long) maxBatch), fixed);
    }
  }

  /** Where a kernel argument points. */
  public enum Space {
    /** The parameters, as {@link #parameters()} lays them out. */
    PARAMS,
    /** d loss / d parameters, same layout. */
    GRADS,
    /** Running statistics, as {@link #buffers()} lays them out. */
    BUFFERS,
    /** The batch of images, (N, C, H, W). */
    INPUT,
    /** The batch's labels, (N) ints. */
    LABELS,
    /** One of {@link #arrays()}, by index. */
    ARRAY,
    /** One float per parameter: 1 where weight decay applies, else 0. */
    DECAY,
    /** The optimizer's state array {@code index} (momentum; or Adam's m, then v), same layout as the parameters. */
    OPTIMIZER
  }

  /** A device address: element {@code offset} of an array in {@code space}. */
  public record Ref(Space space, int index, long offset) {
    public static Ref of(Space space) {
      return new Ref(space, 0, 0);
    }

    public static Ref array(int index) {
      return new Ref(Space.ARRAY, index, 0);
    }

    public Ref plus(long elements) {
      return new Ref(space, index, offset + elements);
    }
  }

  /** Values a launch takes at run time rather than baking in: they change from step to step. */
  public enum Scalar {
    /** Images in this step. */
    BATCH(CType.INT),
    /** Seeds this step's dropout masks. */
    SEED(CType.U64),
    LABEL_SMOOTHING(CType.FLOAT),
    LR(CType.FLOAT),
    /** SGD: the L2 weight decay of tensors that decay. */
    WEIGHT_DECAY(CType.FLOAT),
    MOMENTUM(CType.FLOAT),
    /** SGD: 1 − dampening. */
    DAMPENING_KEEP(CType.FLOAT),
    /** SGD: 1 on the first step, whose momentum buffer starts at the gradient. */
    FIRST_STEP(CType.INT),
    NESTEROV(CType.INT),
    /** Adam: lr / (1 − β1^t). */
    STEP_SIZE(CType.FLOAT),
    /** Adam: √(1 − β2^t). */
    BIAS2_SQRT(CType.FLOAT),
    /** AdamW: 1 − lr·wd for tensors that decay (1 for Adam). */
    SHRINK(CType.FLOAT),
    /** Adam: the L2 weight decay of tensors that decay (0 for AdamW). */
    L2(CType.FLOAT),
    BETA2(CType.FLOAT),
    ONE_MINUS_BETA1(CType.FLOAT),
    ONE_MINUS_BETA2(CType.FLOAT),
    EPS(CType.FLOAT);

    public final CType type;

    Scalar(CType type) {
      this.type = type;
    }
  }

  /** One argument of a launch: a device address or a run-time scalar. */
  public sealed interface Arg {
    record Pointer(Ref ref) implements Arg {}

    record Value(Scalar scalar) implements Arg {}
  }

  /** A size that depends on the batch: ceil((perImage · n + fixed) / divisor). */
  public record Count(long perImage, long fixed, long divisor) {
    public static Count of(long fixed) {
      return new Count(0, fixed, 1);
    }

    public static Count perImage(long perImage) {
      return new Count(perImage, 0, 1);
    }

    /** Blocks of {@code block} threads covering {@code perImage · n} threads. */
    public static Count blocks(long perImage, long block) {
      return new Count(perImage, 0, block);
    }

    public long at(int n) {
      long total = Math.addExact(Math.multiplyExact(perImage, (long) n), fixed);
      return (total + divisor - 1) / divisor;
    }

    @Override
    public String toString() {
      if (perImage == 0) return Long.toString((fixed + divisor - 1) / divisor);
      String total = (perImage == 1 ? "n" : perImage + "·n") + (fixed == 0 ? "" : " + " + fixed);
      return divisor == 1 ? total : "⌈" + (fixed == 0 ? total : "(" + total + ")") + "/" + divisor + "⌉";
    }
  }

  /**
   * A kernel of the translation unit.
   *
   * @param params its parameters in order, as C declarations split into type and name
   * @param synchronizes whether threads of a block meet at barriers (__syncthreads)
   */
  public record Kernel(String name, List<Param> params, boolean synchronizes) {
    public Kernel {
      params = List.copyOf(params);
    }
  }

  /** @param type "const float*", "int", "unsigned long long", … */
  public record Param(String type, String name) {}

  /** One thing the host enqueues. */
  public sealed interface Step {
    String comment();
  }

  /** kernel&lt;&lt;&lt;(gridX, gridY), block, shared&gt;&gt;&gt;(args). */
  public record Launch(int kernel, Count gridX, Count gridY, int block, int sharedBytes, List<Arg> args,
      String comment) implements Step {
    public Launch {
      args = List.copyOf(args);
    }
  }

  /** cuBLAS sgemm, column-major: C = alpha · op(A) · op(B) + beta · C with op(A) m×k, op(B) k×n. */
  public record Gemm(boolean transA, boolean transB, Count m, Count n, Count k, float alpha, Ref a, int lda,
      Ref b, int ldb, float beta, Ref c, int ldc, String comment) implements Step {}

  /** A readable description of the host side, for people and tools: arrays, kernels and every step. */
  public String describe() {
    JsonObject o = new JsonObject();
    o.addProperty("network", name);
    o.addProperty("source", fileName);
    JsonArray in = new JsonArray();
    for (int d : inputShape) in.add(d);
    o.add("input", in);
    o.addProperty("classes", classes);
    o.addProperty("parameters", parameterCount());
    o.addProperty("buffers", bufferCount());
    if (!oneValueBatchNorms.isEmpty()) {
      JsonArray bns = new JsonArray();
      oneValueBatchNorms.forEach(bns::add);
      o.add("one_value_batch_norms", bns);
    }
    JsonArray arr = new JsonArray();
    for (Array a : arrays) {
      JsonObject j = new JsonObject();
      j.addProperty("name", a.name());
      j.addProperty("type", a.type().c);
      j.addProperty("per_image", a.perImage());
      j.addProperty("fixed", a.fixed());
      j.addProperty("holds", a.comment());
      arr.add(j);
    }
    o.add("arrays", arr);
    o.add("train_forward", steps(trainForward));
    o.add("loss", steps(loss));
    o.add("backward", steps(backward));
    o.add("infer", steps(infer));
    o.add("sgd", steps(List.of(sgd)));
    o.add("adam", steps(List.of(adam)));
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
  }

  private JsonArray steps(List<Step> steps) {
    JsonArray a = new JsonArray();
    for (Step s : steps) {
      JsonObject j = new JsonObject();
      if (s instanceof Launch l) {
        j.addProperty("kernel", kernels.get(l.kernel()).name());
        j.addProperty("grid", l.gridX() + " × " + l.gridY());
        j.addProperty("block", l.block());
        JsonArray args = new JsonArray();
        for (Arg arg : l.args()) args.add(describe(arg));
        j.add("args", args);
      } else if (s instanceof Gemm g) {
        j.addProperty("cublas", "sgemm");
        j.addProperty("op", (g.transA() ? "T" : "N") + (g.transB() ? "T" : "N"));
        j.addProperty("m", g.m().toString());
        j.addProperty("n", g.n().toString());
        j.addProperty("k", g.k().toString());
        j.addProperty("a", describe(g.a()) + ", lda " + g.lda());
        j.addProperty("b", describe(g.b()) + ", ldb " + g.ldb());
        j.addProperty("c", describe(g.c()) + ", ldc " + g.ldc());
        j.addProperty("alpha", g.alpha());
        j.addProperty("beta", g.beta());
      }
      j.addProperty("does", s.comment());
      a.add(j);
    }
    return a;
  }

  private String describe(Arg arg) {
    return arg instanceof Arg.Pointer p ? describe(p.ref()) : ((Arg.Value) arg).scalar().name().toLowerCase();
  }

  private String describe(Ref r) {
    String base = r.space() == Space.ARRAY ? arrays.get(r.index()).name()
        : r.space() == Space.OPTIMIZER ? "optimizer[" + r.index() + "]" : r.space().name().toLowerCase();
    return r.offset() == 0 ? base : base + " + " + r.offset();
  }
}
