// The CUDA backend's generator: one .cu translation unit per network, from the same graphs, passes
// and buffer plan as the Java backend, and the host plan (CudaProgram) that launches its kernels.
package dev.cnnc.compiler.emit;

import dev.cnnc.compiler.Pipeline;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.ir.Layout;
import dev.cnnc.compiler.ir.Node;
import dev.cnnc.compiler.ops.CudaCode;
import dev.cnnc.compiler.ops.CudaGen;
import dev.cnnc.compiler.ops.CudaGen.Convolutions;
import dev.cnnc.compiler.ops.Tensor;
import dev.cnnc.compiler.passes.BufferPlan;
import dev.cnnc.runtime.TensorSpec;
import dev.cnnc.runtime.cuda.CudaProgram;
import dev.cnnc.runtime.cuda.CudaProgram.Arg;
import dev.cnnc.runtime.cuda.CudaProgram.CType;
import dev.cnnc.runtime.cuda.CudaProgram.Count;
import dev.cnnc.runtime.cuda.CudaProgram.Gemm;
import dev.cnnc.runtime.cuda.CudaProgram.Launch;
import dev.cnnc.runtime.cuda.CudaProgram.Param;
import dev.cnnc.runtime.cuda.CudaProgram.Ref;
import dev.cnnc.runtime.cuda.CudaProgram.Scalar;
import dev.cnnc.runtime.cuda.CudaProgram.Space;
import dev.cnnc.runtime.cuda.CudaProgram.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The translation unit has no #include and no host code: a preamble of helpers, then the kernels
 * in the order a training step first launches them, then inference's and the optimizers'. Each
 * kernel says which node and spec line it comes from, its shapes and its threads. Kernels whose
 * text would be identical (the blocks of a ResNet stage) are emitted once and launched for each.
 * The same spec always gives the same bytes.
 */
public final class CudaEmitter {
  /**
   * @param fileName "SimpleCNN.cu"
   * @param source the translation unit
   * @param program the host plan; {@code program.describe()} is its readable JSON
   */
  public record Output(String name, String fileName, String source, CudaProgram program) {
    /** The host plan as JSON, to write beside the .cu ("SimpleCNN.plan.json"). */
    public String hostPlan() {
      return program.describe();
    }

    public String planFileName() {
      return fileName.substring(0, fileName.length() - 3) + ".plan.json";
    }
  }

  private final Pipeline.Compiled compiled;
  private final SourceFile spec;
  private final Convolutions convolutions;
  private final Layout layout;
  private final Map<String, Integer> offsets;
  private final BufferPlan plan;
  private final List<CudaProgram.Array> arrays = new ArrayList<>();
  private final Map<Integer, Integer> activationArrays = new HashMap<>();
  private final Map<String, Integer> namedArrays = new HashMap<>();
  private final List<KernelText> kernels = new ArrayList<>();
  private final Map<String, Integer> kernelsByText = new HashMap<>();
  private final Map<String, String> stems = new LinkedHashMap<>();
  private List<Step> steps;
  private String phase;

  /** One generated kernel: its signature and body, the comment above it, and every node that launches it. */
  private static final class KernelText {
    final String name;
    final List<Param> params;
    final String header;
    final String body;
    final String section;
    final List<String> alsoFor = new ArrayList<>();

    KernelText(String name, List<Param> params, String header, String body, String section) {
      this.name = name;
      this.params = params;
      this.header = header;
      this.body = body;
      this.section = section;
    }
  }

  private CudaEmitter(Pipeline.Compiled compiled, SourceFile spec, Convolutions convolutions) {
    this.compiled = compiled;
    this.spec = spec;
    this.convolutions = convolutions;
    this.layout = Layout.of(compiled.source());
    this.offsets = layout.offsets();
    this.plan = compiled.plan();
  }

  /** The translation unit and host plan for {@code compiled}; {@code spec} supplies the file name and quoted lines. */
  public static Output emit(Pipeline.Compiled compiled, SourceFile spec) {
    return emit(compiled, spec, Convolutions.configured());
  }

  /** As {@link #emit(Pipeline.Compiled, SourceFile)}, with convolutions computed as {@code convolutions} says. */
  public static Output emit(Pipeline.Compiled compiled, SourceFile spec, Convolutions convolutions) {
    return new CudaEmitter(compiled, spec, convolutions).run();
  }

  private Output run() {
    Graph src = compiled.source();
    for (int b = 0; b < plan.sizes().size(); b++) {
      activationArrays.put(b, arrays.size());
      arrays.add(new CudaProgram.Array("b" + b, CType.FLOAT, plan.sizes().get(b), 0, usesOf(b)));
    }
    List<Step> forward = phase("training forward", () -> forward(compiled.train(), true));
    List<Step> loss = phase("loss", this::loss);
    List<Step> backward = phase("backward", this::backward);
    List<Step> infer = phase("inference", () -> {
      for (Node v : compiled.infer().nodes()) if (v.fold() != null) fold(v);
      forward(compiled.infer(), false);
    });
    List<Step> sgd = phase("optimizer", this::sgd);
    List<Step> adam = phase("optimizer", this::adam);
    if (CudaProgram.hasProducts(List.of(forward, loss, backward, infer))) gemmKernel();
    String fileName = JavaNames.className(src.name()) + ".cu";
    int lastInfer = compiled.infer().nodes().size() - 1;
    String source = source(fileName, forward, loss, backward, infer, List.of(sgd.get(0), adam.get(0)));
    CudaProgram program = new CudaProgram(src.name(), fileName, source, src.input().dims(),
        src.output().output().channels(), layout.params(), layout.buffers(), src.oneValueBatchNorms(), layout.inits(),
        arrays,
        kernels.stream().map(k -> new CudaProgram.Kernel(k.name, k.params, false)).toList(), forward, loss, backward,
        infer, activation(plan.inferOut().get(lastInfer)), Ref.array(namedArrays.get("loss.stats")), sgd.get(0),
        adam.get(0));
    return new Output(src.name(), fileName, source, program);
  }

  private List<Step> phase(String name, Runnable body) {
    steps = new ArrayList<>();
    phase = name;
    body.run();
    return steps;
  }

  // ---- the phases ----

  private void forward(Graph g, boolean training) {
    for (Node v : g.nodes().subList(1, g.nodes().size())) {
      if (v.op().isAlias()) continue;
      v.op().cudaForward(new Gen(v, training));
    }
  }

  private void backward() {
    List<Node> order = new ArrayList<>(compiled.train().nodes().subList(1, compiled.train().nodes().size()));
    java.util.Collections.reverse(order);
    for (Node v : order) {
      // no gradient: no parameter at or before v (see BufferPlanning.gradientsNeeded)
      if (v.op().isAlias() || !plan.trainGrad().containsKey(v.id())) continue;
      v.op().cudaBackward(new Gen(v, true));
    }
  }

  /** Softmax cross-entropy with label smoothing on the training logits, as the runtime's Loss. */
  private void loss() {
    Graph g = compiled.train();
    int last = g.nodes().size() - 1;
    int k = g.output().output().channels();
    Ref logits = activation(plan.trainOut().get(last));
    Ref dLogits = activation(plan.trainGrad().get(last));
    Ref rows = array("loss.rows", CType.DOUBLE, 2, 0, "per image: loss and whether the top logit is the label");
    Ref stats = array("loss.stats", CType.DOUBLE, 0, 2, "the step's summed loss and number of correct images");
    String header = comment("loss: softmax cross-entropy with label smoothing ε, q = (1 − ε)·onehot + ε/" + k
        + "; d loss / d logits = (softmax − q) / N. One thread per image; sums in double, as on the CPU.");
    CudaCode rowsBody = new CudaCode()
        .line("const float* z = logits + t * %d;", k)
        .line("const int label = labels[t];")
        .line("float max = z[0];")
        .line("int best = 0;")
        .open("for (int j = 1; j < %d; j++)", k)
        .open("if (z[j] > max)").line("max = z[j];").line("best = j;").close()
        .close()
        .line("double sum = 0;")
        .line("for (int j = 0; j < %d; j++) sum += exp((double) (z[j] - max));", k)
        .line("const double log_sum = log(sum) + max;")
        .line("const double off = smoothing / %d;", k)
        .line("const double on = (1.f - smoothing) + off;")
        .line("double loss = 0;")
        .open("for (int j = 0; j < %d; j++)", k)
        .line("const double log_p = z[j] - log_sum;")
        .line("const double q = j == label ? on : off;")
        .line("loss -= q * log_p;")
        .line("dlogits[t * %d + j] = (float) ((exp(log_p) - q) / n);", k)
        .close()
        .line("rows[2 * t] = loss;")
        .line("rows[2 * t + 1] = best == label ? 1 : 0;");
    List<Param> params = List.of(new Param("float*", "dlogits"), new Param("double*", "rows"),
        new Param("const float*", "logits"), new Param("const int*", "labels"), new Param("float", "smoothing"),
        new Param("int", "n"));
    launch("cnnc_loss_rows", params, header, prologue(new Count(1, 0, 1), null) + rowsBody,
        List.of(ptr(dLogits), ptr(rows), ptr(logits), ptr(Ref.of(Space.LABELS)), val(Scalar.LABEL_SMOOTHING),
            val(Scalar.BATCH)),
        Count.blocks(1, CudaGen.BLOCK), Count.of(1), "loss per image");
    CudaCode total = new CudaCode()
        .line("double loss = 0, correct = 0;")
        .open("for (int i = 0; i < n; i++)").line("loss += rows[2 * i];").line("correct += rows[2 * i + 1];").close()
        .line("stats[0] = loss;")
        .line("stats[1] = correct;");
    launch("cnnc_loss_total", List.of(new Param("double*", "stats"), new Param("const double*", "rows"),
            new Param("int", "n")), comment("loss: the step's total, the images' losses added in order by one thread."),
        prologue(Count.of(1), null) + total, List.of(ptr(stats), ptr(rows), val(Scalar.BATCH)), Count.of(1), Count.of(1),
        "the step's loss and correct count");
  }

  /** Folds a batch norm's running statistics into a conv or fc's weights and bias, before inference. */
  private void fold(Node v) {
    Tensor weight = v.op().params().get(0);
    int out = weight.dims()[0];
    long w = weight.size();
    long per = w / out;
    String bn = v.fold().bnName();
    boolean bias = offsets.containsKey(v.name() + ".bias");
    Ref folded = array(v.name() + ".fold", CType.FLOAT, 0, w + out, v.name() + "'s weights and bias with " + bn + " folded in");
    List<Param> params = new ArrayList<>(List.of(new Param("float*", "fold"), new Param("const float*", "w")));
    List<Arg> args = new ArrayList<>(List.of(ptr(folded), ptr(param(v.name() + ".weight"))));
    if (bias) {
      params.add(new Param("const float*", "b"));
      args.add(ptr(param(v.name() + ".bias")));
    }
    for (String[] p : new String[][] {{"gamma", bn + ".weight"}, {"beta", bn + ".bias"}}) {
      params.add(new Param("const float*", p[0]));
      args.add(ptr(param(p[1])));
    }
    for (String[] p : new String[][] {{"mean", bn + ".running_mean"}, {"var", bn + ".running_var"}}) {
      params.add(new Param("const float*", p[0]));
      args.add(ptr(new Ref(Space.BUFFERS, 0, offsets.get(p[1]))));
    }
    params.add(new Param("int", "n"));
    args.add(val(Scalar.BATCH));
    CudaCode c = new CudaCode()
        .line("const int o = t < %d ? t / %d : t - %d;", w, per, w)
        .line("const float scale = gamma[o] / (float) sqrt((double) var[o] + %s);", CudaCode.d(v.fold().bn().eps()))
        .open("if (t < %d)", w).line("fold[t] = w[t] * scale;")
        .reopen("else").line("fold[t] = (%s - mean[o]) * scale + beta[o];", bias ? "b[o]" : "0.f").close();
    String header = comment(v.name() + ": fold " + bn + " in for inference: w' = w·γ/√(var + eps), b' = (b − mean)·γ/√(var + eps) + β;"
        + " one thread per weight and bias");
    launch(stem(v.name()) + "_fold", params, header, prologue(Count.of(w + out), null) + c, args,
        new Count(0, w + out, CudaGen.BLOCK), Count.of(1), v.name() + ": fold " + bn);
  }

  /** SGD as torch.optim.SGD and the runtime's Sgd, with explicit rounding so no multiply-add is fused. */
  private void sgd() {
    int p = layout.paramCount();
    CudaCode c = new CudaCode()
        .line("const float wd = decay[t] != 0.f ? weight_decay : 0.f;")
        .open("if (momentum == 0.f)")
        .line("p[t] = __fsub_rn(p[t], __fmul_rn(lr, __fadd_rn(g[t], __fmul_rn(wd, p[t]))));")
        .line("return;")
        .close()
        .line("const float gt = __fadd_rn(g[t], __fmul_rn(wd, p[t]));")
        .line("const float b = first ? gt : __fadd_rn(__fmul_rn(momentum, buf[t]), __fmul_rn(keep, gt));")
        .line("buf[t] = b;")
        .line("p[t] = __fsub_rn(p[t], __fmul_rn(lr, nesterov ? __fadd_rn(gt, __fmul_rn(momentum, b)) : b));");
    List<Param> params = List.of(new Param("float*", "p"), new Param("const float*", "g"), new Param("float*", "buf"),
        new Param("const float*", "decay"), new Param("float", "lr"), new Param("float", "weight_decay"),
        new Param("float", "momentum"), new Param("float", "keep"), new Param("int", "first"),
        new Param("int", "nesterov"), new Param("int", "n"));
    List<Arg> args = List.of(ptr(Ref.of(Space.PARAMS)), ptr(Ref.of(Space.GRADS)), ptr(new Ref(Space.OPTIMIZER, 0, 0)),
        ptr(Ref.of(Space.DECAY)), val(Scalar.LR), val(Scalar.WEIGHT_DECAY), val(Scalar.MOMENTUM),
        val(Scalar.DAMPENING_KEEP), val(Scalar.FIRST_STEP), val(Scalar.NESTEROV), val(Scalar.BATCH));
    launch("cnnc_sgd", params, comment("optimizer: SGD over all " + p + " parameters, as torch.optim.SGD: g = grad + wd·p;"
            + " b = g on the first step, else momentum·b + (1 − dampening)·g; p −= lr·(Nesterov ? g + momentum·b : b)."
            + " Explicitly rounded (__fmul_rn, __fadd_rn) so it matches the CPU optimizer bit for bit."),
        prologue(Count.of(p), null) + c, args, new Count(0, p, CudaGen.BLOCK), Count.of(1), "SGD update");
  }

  /** Adam and AdamW as torch.optim and the runtime's Adam; bias corrections come in as scalars. */
  private void adam() {
    int p = layout.paramCount();
    CudaCode c = new CudaCode()
        .line("const bool decays = decay[t] != 0.f;")
        .line("const float pt = __fmul_rn(p[t], decays ? shrink : 1.f);")
        .line("const float gt = __fadd_rn(g[t], __fmul_rn(decays ? l2 : 0.f, pt));")
        .line("const float mt = __fadd_rn(m[t], __fmul_rn(one_minus_beta1, __fsub_rn(gt, m[t])));")
        .line("const float vt = __fadd_rn(__fmul_rn(beta2, v[t]), __fmul_rn(__fmul_rn(one_minus_beta2, gt), gt));")
        .line("m[t] = mt;")
        .line("v[t] = vt;")
        .line("const float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vt), bias2_sqrt), eps);")
        .line("p[t] = __fsub_rn(pt, __fmul_rn(step_size, __fdiv_rn(mt, denom)));");
    List<Param> params = List.of(new Param("float*", "p"), new Param("const float*", "g"), new Param("float*", "m"),
        new Param("float*", "v"), new Param("const float*", "decay"), new Param("float", "step_size"),
        new Param("float", "bias2_sqrt"), new Param("float", "shrink"), new Param("float", "l2"),
        new Param("float", "beta2"), new Param("float", "one_minus_beta1"), new Param("float", "one_minus_beta2"),
        new Param("float", "eps"), new Param("int", "n"));
    List<Arg> args = List.of(ptr(Ref.of(Space.PARAMS)), ptr(Ref.of(Space.GRADS)), ptr(new Ref(Space.OPTIMIZER, 0, 0)),
        ptr(new Ref(Space.OPTIMIZER, 1, 0)), ptr(Ref.of(Space.DECAY)), val(Scalar.STEP_SIZE), val(Scalar.BIAS2_SQRT),
        val(Scalar.SHRINK), val(Scalar.L2), val(Scalar.BETA2), val(Scalar.ONE_MINUS_BETA1), val(Scalar.ONE_MINUS_BETA2),
        val(Scalar.EPS), val(Scalar.BATCH));
    launch("cnnc_adam", params, comment("optimizer: Adam / AdamW over all " + p + " parameters, as torch.optim: AdamW shrinks p"
            + " by 1 − lr·wd, Adam adds wd·p to the gradient; m = lerp(m, g, 1 − β1); v = β2·v + (1 − β2)·g²;"
            + " p −= step_size · m / (√v / bias2_sqrt + eps). Explicitly rounded, as cnnc_sgd."),
        prologue(Count.of(p), null) + c, args, new Count(0, p, CudaGen.BLOCK), Count.of(1), "Adam update");
  }

  /**
   * The stand-in for cuBLAS ({@link CudaProgram#GEMM_KERNEL}): launched by the host, not the plan,
   * and only on machines without cuBLAS. One thread per element of C, its k products added in order.
   */
  private void gemmKernel() {
    if (kernelNamed(CudaProgram.GEMM_KERNEL) || CudaProgram.GEMM_BLOCK != CudaGen.BLOCK) {
      throw new IllegalStateException("cannot add " + CudaProgram.GEMM_KERNEL);
    }
    List<Param> params = List.of(new Param("int", "ta"), new Param("int", "tb"), new Param("int", "m"),
        new Param("int", "cols"), new Param("int", "k"), new Param("float", "alpha"), new Param("const float*", "a"),
        new Param("int", "lda"), new Param("const float*", "b"), new Param("int", "ldb"), new Param("float", "beta"),
        new Param("float*", "c"), new Param("int", "ldc"));
    CudaCode body = new CudaCode()
        .line("const long long t = (long long) blockIdx.x * blockDim.x + threadIdx.x;")
        .line("if (t >= (long long) m * cols) return;")
        .line("const int i = (int) (t % m), j = (int) (t / m);")
        .line("const long long ai = ta ? (long long) i * lda : i, as = ta ? 1 : lda;")
        .line("const long long bj = tb ? j : (long long) j * ldb, bs = tb ? ldb : 1;")
        .line("float sum = 0.f;")
        .line("for (int p = 0; p < k; p++) sum += a[ai + p * as] * b[bj + p * bs];")
        .line("float* o = c + i + (long long) j * ldc;")
        .line("*o = beta == 0.f ? alpha * sum : alpha * sum + beta * *o;");
    kernels.add(new KernelText(CudaProgram.GEMM_KERNEL, params, comment("The matrix products where cuBLAS is missing"
        + " (the host launches this instead of cublasSgemm, with its arguments): C = alpha·op(A)·op(B) + beta·C,"
        + " column-major, m×k op(A), k×cols op(B); beta = 0 never reads C, as cuBLAS. One thread per element of C."),
        body.toString(), "matrix products without cuBLAS"));
  }

  // ---- kernels and launches ----

  /** Adds (or reuses) a kernel and appends its launch to the current phase. */
  private void launch(String name, List<Param> params, String header, String body, List<Arg> args, Count gridX,
      Count gridY, String what) {
    StringBuilder key = new StringBuilder();
    for (Param p : params) key.append(p.type()).append(' ').append(p.name()).append(',');
    key.append('\n').append(body);
    Integer index = kernelsByText.get(key.toString());
    if (index == null) {
      String unique = name;
      for (int i = 2; kernelNamed(unique); i++) unique = name + "_" + i;
      kernels.add(new KernelText(unique, List.copyOf(params), header, body, phase));
      index = kernels.size() - 1;
      kernelsByText.put(key.toString(), index);
    } else if (!kernels.get(index).name.equals(name)) {
      kernels.get(index).alsoFor.add(what);
    }
    steps.add(new Launch(index, gridX, gridY, CudaGen.BLOCK, 0, args, what));
  }

  private boolean kernelNamed(String name) {
    for (KernelText k : kernels) if (k.name.equals(name)) return true;
    return false;
  }

  /** The first lines of every kernel: its thread index {@code t} (and chunk {@code s}), and the bound check. */
  private static String prologue(Count threads, Count yBlocks) {
    StringBuilder b = new StringBuilder("const int t = (int) (blockIdx.x * blockDim.x + threadIdx.x);\n");
    String bound = threads.perImage() == 0 ? Long.toString(threads.fixed())
        : (threads.perImage() == 1 ? "n" : "n * " + threads.perImage()) + (threads.fixed() == 0 ? "" : " + " + threads.fixed());
    b.append("if (t >= ").append(bound).append(") return;\n");
    if (yBlocks != null) b.append("const int s = (int) blockIdx.y;\n");
    return b.toString();
  }

  private String stem(String node) {
    return stems.computeIfAbsent(node, n -> {
      String base = CudaNames.stem(n);
      String candidate = base;
      for (int i = 2; stems.containsValue(candidate); i++) candidate = base + "_" + i;
      return candidate;
    });
  }

  // ---- arrays and references ----

  private Ref activation(int buffer) {
    return buffer == BufferPlan.INPUT ? Ref.of(Space.INPUT) : Ref.array(activationArrays.get(buffer));
  }

  /** A named array, created on first use; a later request may only grow it. */
  private Ref array(String name, CType type, long perImage, long fixed, String comment) {
    Integer i = namedArrays.get(name);
    if (i == null) {
      namedArrays.put(name, arrays.size());
      arrays.add(new CudaProgram.Array(name, type, perImage, fixed, comment));
      return Ref.array(arrays.size() - 1);
    }
    CudaProgram.Array a = arrays.get(i);
    if (a.type() != type) throw new IllegalStateException(name + " is both " + a.type() + " and " + type);
    arrays.set(i, new CudaProgram.Array(name, type, Math.max(a.perImage(), perImage), Math.max(a.fixed(), fixed), a.comment()));
    return Ref.array(i);
  }

  private Ref param(String name) {
    Integer off = offsets.get(name);
    if (off == null) throw new IllegalStateException("no parameter " + name);
    return new Ref(Space.PARAMS, 0, off);
  }

  private static Arg ptr(Ref r) {
    return new Arg.Pointer(r);
  }

  private static Arg val(Scalar s) {
    return new Arg.Value(s);
  }

  /** Which tensors share activation buffer b, for its comment. */
  private String usesOf(int b) {
    List<String> uses = new ArrayList<>();
    compiled.train().nodes().forEach(n -> {
      if (!n.op().isAlias() && plan.trainOut().getOrDefault(n.id(), -2) == b) uses.add(n.name() + " output");
      if (!n.op().isAlias() && plan.trainGrad().getOrDefault(n.id(), -2) == b) uses.add("d " + n.name());
    });
    compiled.infer().nodes().forEach(n -> {
      if (!n.op().isAlias() && plan.inferOut().getOrDefault(n.id(), -2) == b) uses.add(n.name() + " (inference)");
    });
    return String.join(", ", uses);
  }

  /** What one node's kernels see of the plan and the layout. */
  private final class Gen implements CudaGen {
    private final Node v;
    private final boolean training;
    private final Map<Integer, Integer> out;

    Gen(Node v, boolean training) {
      this.v = v;
      this.training = training;
      this.out = training ? plan.trainOut() : plan.inferOut();
    }

    public Buf x(int i) {
      return new Buf(activation(out.get(v.inputs().get(i))), CType.FLOAT);
    }

    public Buf y() {
      return new Buf(activation(out.get(v.id())), CType.FLOAT);
    }

    public Buf dy() {
      return new Buf(activation(plan.trainGrad().get(v.id())), CType.FLOAT);
    }

    public Buf dx(int i) {
      Integer b = plan.trainGrad().get(v.inputs().get(i));
      return b == null ? null : new Buf(activation(b), CType.FLOAT);
    }

    public boolean accumulate(int i) {
      return plan.accumulates(v.id(), i);
    }

    public Buf param(String suffix) {
      if (folded()) {
        Tensor weight = v.op().params().get(0);
        Ref fold = array(v.name() + ".fold", CType.FLOAT, 0, weight.size() + weight.dims()[0], "");
        return new Buf(suffix.equals("weight") ? fold : fold.plus(weight.size()), CType.FLOAT);
      }
      return new Buf(CudaEmitter.this.param(v.name() + "." + suffix), CType.FLOAT);
    }

    public Buf grad(String suffix) {
      return new Buf(new Ref(Space.GRADS, 0, CudaEmitter.this.param(v.name() + "." + suffix).offset()), CType.FLOAT);
    }

    public Buf buffer(String suffix) {
      Integer off = offsets.get(v.name() + "." + suffix);
      if (off == null) throw new IllegalStateException("no buffer " + v.name() + "." + suffix);
      return new Buf(new Ref(Space.BUFFERS, 0, off), CType.FLOAT);
    }

    public Buf aux(String what, long size, boolean perImage, long fixed, CType type) {
      return new Buf(array(v.name() + "." + what, type, perImage ? size : 0, perImage ? fixed : size + fixed,
          v.name() + "'s " + what), type);
    }

    public Buf scratch(int slot, long size, boolean perImage, long fixed, CType type) {
      if (slot < 0 || slot > 3) throw new IllegalArgumentException("scratch slot " + slot);
      String name = "scratch." + type.c.replace(' ', '_') + (slot == 0 ? "" : "." + slot);
      return new Buf(array(name, type, perImage ? size : 0, perImage ? fixed : size + fixed,
          "partial sums and products' operands, reused by every node"), type);
    }

    public Convolutions convolutions() {
      return convolutions;
    }

    public Node node() {
      return v;
    }

    public boolean training() {
      return training;
    }

    public Kernel kernel(String role, String doc) {
      return new KernelBuilder(v, training, role, doc);
    }

    public void gemm(boolean transA, boolean transB, Count m, Count n, Count k, float alpha, Buf a, int lda, Buf b,
        int ldb, float beta, Buf c, int ldc, String doc) {
      steps.add(new Gemm(transA, transB, m, n, k, alpha, a.ref(), lda, b.ref(), ldb, beta, c.ref(), ldc,
          v.name() + ": " + doc));
    }
  }

  /** Collects a kernel's parameters and grid, then renders it. */
  private final class KernelBuilder implements CudaGen.Kernel {
    private final Node v;
    private final boolean training;
    private final String role;
    private final String doc;
    // Outputs, then inputs, then scalars, as llm.c orders its arguments.
    private final List<Param> outParams = new ArrayList<>();
    private final List<Arg> outArgs = new ArrayList<>();
    private final List<Param> params = new ArrayList<>();
    private final List<Arg> args = new ArrayList<>();
    private final List<Param> valueParams = new ArrayList<>();
    private final List<Arg> valueArgs = new ArrayList<>();
    private Count threads;
    private Count gridX;
    private Count gridY = Count.of(1);
    private boolean twoD;

    KernelBuilder(Node v, boolean training, String role, String doc) {
      this.v = v;
      this.training = training;
      this.role = role;
      this.doc = doc;
    }

    public CudaGen.Kernel in(String name, CudaGen.Buf b) {
      params.add(new Param("const " + b.type().c + "*", name));
      args.add(ptr(b.ref()));
      return this;
    }

    public CudaGen.Kernel out(String name, CudaGen.Buf b) {
      outParams.add(new Param(b.type().c + "*", name));
      outArgs.add(ptr(b.ref()));
      return this;
    }

    public CudaGen.Kernel value(String name, Scalar s) {
      valueParams.add(new Param(s.type.c, name));
      valueArgs.add(val(s));
      return this;
    }

    public CudaGen.Kernel threads(long perImage, long fixed) {
      threads = new Count(perImage, fixed, 1);
      gridX = new Count(perImage, fixed, CudaGen.BLOCK);
      return this;
    }

    public CudaGen.Kernel grid(long xThreads, Count y) {
      threads = Count.of(xThreads);
      gridX = new Count(0, xThreads, CudaGen.BLOCK);
      gridY = y;
      twoD = true;
      return this;
    }

    public void body(CudaCode code) {
      if (threads == null) throw new IllegalStateException(v.name() + " " + role + ": no grid");
      List<Param> ps = new ArrayList<>(outParams);
      ps.addAll(params);
      ps.addAll(valueParams);
      ps.add(new Param("int", "n"));
      List<Arg> as = new ArrayList<>(outArgs);
      as.addAll(args);
      as.addAll(valueArgs);
      as.add(val(Scalar.BATCH));
      String name = stem(v.name()) + "_" + (training ? role : role.replace("forward", "infer"));
      launch(name, ps, header(), prologue(threads, twoD ? gridY : null) + code, as, gridX, gridY,
          v.name() + (training ? "" : " at inference"));
    }

    private String header() {
      // a role named for neither pass (conv's im2row) is one kernel launched by the forward, the backward and inference
      String when = role.startsWith("backward") ? "backward" : !role.startsWith("forward") ? "forward, backward and"
          + " inference" : training ? "training forward" : "inference";
      String shapes = "(N, " + dims(v.op().input().dims()) + ") → (N, " + dims(v.output().dims()) + ")";
      StringBuilder h = new StringBuilder();
      h.append(comment(v.name() + ": " + v.op().describe() + fusions(v) + "; " + when + ". " + shapes));
      if (v.span().isKnown() && spec != null) {
        h.append(comment("  spec line " + v.span().line() + ": " + spec.line(v.span().line()).strip()));
      }
      h.append(comment(doc + (twoD ? "; blockIdx.y is the chunk s" : "")));
      return h.toString();
    }
  }

  private static String fusions(Node v) {
    StringBuilder b = new StringBuilder();
    if (v.fold() != null) b.append(", ").append(v.fold().bnName()).append(" folded in");
    if (v.epilogue() != null) b.append(", ").append(v.epilogue().describe()).append(" fused");
    return b.toString();
  }

  private static String comment(String text) {
    return "// " + CudaNames.comment(text) + "\n";
  }

  private static String dims(int[] d) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < d.length; i++) b.append(i > 0 ? ", " : "").append(d[i]);
    return b.toString();
  }

  // ---- the translation unit ----

  private String source(String fileName, List<Step> forward, List<Step> loss, List<Step> backward, List<Step> infer,
      List<Step> optimizers) {
    Graph src = compiled.source();
    StringBuilder s = new StringBuilder();
    s.append("// Generated by cnnc from ").append(CudaNames.comment(spec.name())).append(". Do not edit.\n//\n");
    s.append(comment("Network " + src.name() + ": input (N, " + dims(src.input().dims()) + "), logits (N, "
        + src.output().output().channels() + "); " + String.format(Locale.ROOT, "%,d", layout.paramCount())
        + " parameters."));
    s.append("//\n// Every kernel takes n, the images in this step, as its last argument; shapes are constants.\n");
    if (kernelNamed(CudaProgram.GEMM_KERNEL)) {
      s.append("// (Except ").append(CudaProgram.GEMM_KERNEL).append(", cuBLAS's stand-in, which takes sgemm's arguments.)\n");
    }
    s.append("// Blocks are ").append(CudaGen.BLOCK).append(" threads; no kernel synchronises its threads, so results do"
        + " not depend on scheduling.\n");
    s.append("// Compiles alone: nvcc -cubin -arch=sm_90 ").append(fileName).append(", or NVRTC.\n//\n");
    s.append("// The host (dev.cnnc.runtime.cuda.CudaModel) runs, in order:\n");
    int width = 34;
    for (List<Step> steps : List.of(forward, loss, backward, infer, optimizers)) {
      for (Step st : steps) if (st instanceof Launch l) width = Math.max(width, kernels.get(l.kernel()).name.length());
    }
    plan(s, "training forward", forward, width);
    plan(s, "loss", loss, width);
    plan(s, "backward", backward, width);
    plan(s, "inference", infer, width);
    plan(s, "optimizer step (one of)", optimizers, width);
    s.append("//\n// Device arrays besides parameters, gradients, running statistics, input and labels:\n");
    for (CudaProgram.Array a : arrays) {
      String size = a.perImage() == 0 ? a.fixed() + "" : "(N, " + a.perImage() + ")" + (a.fixed() == 0 ? "" : " + " + a.fixed());
      s.append(comment(String.format(Locale.ROOT, "  %-22s %s %ss: %s", a.name(), size, a.type().c, a.comment())));
    }
    StringBuilder body = new StringBuilder();
    String section = null;
    for (KernelText k : kernels) {
      if (!k.section.equals(section)) {
        section = k.section;
        body.append("\n// ======== ").append(section).append(" ========\n");
      }
      body.append('\n').append(k.header);
      if (!k.alsoFor.isEmpty()) body.append(comment("Also launched for " + String.join(", ", k.alsoFor) + "."));
      body.append(signature(k)).append(" {\n");
      for (String line : k.body.split("\n")) if (!line.isEmpty()) body.append("  ").append(line).append('\n');
      body.append("}\n");
    }
    s.append('\n').append(helpers(body)).append(body);
    return s.toString();
  }

  private static String signature(KernelText k) {
    String head = "extern \"C\" __global__ void __launch_bounds__(" + CudaGen.BLOCK + ") " + k.name + "(";
    List<String> ps = new ArrayList<>();
    for (Param p : k.params) ps.add(p.type() + (p.type().endsWith("*") ? " __restrict__ " : " ") + p.name());
    String oneLine = head + String.join(", ", ps) + ")";
    if (oneLine.length() <= 110) return oneLine;
    StringBuilder b = new StringBuilder(head).append('\n');
    for (int i = 0; i < ps.size(); i++) b.append("    ").append(ps.get(i)).append(i + 1 < ps.size() ? ",\n" : ")");
    return b.toString();
  }

  /** One part of the launch plan; its first column is {@code width} wide (the longest kernel name, at least 34). */
  private void plan(StringBuilder s, String title, List<Step> steps, int width) {
    s.append("//   ").append(title).append(":\n");
    for (Step st : steps) {
      String line;
      if (st instanceof Launch l) {
        String grid = l.gridX() + (l.gridY().equals(Count.of(1)) ? "" : " × " + l.gridY());
        line = String.format(Locale.ROOT, "%-" + width + "s <<<%s>>>  %s", kernels.get(l.kernel()).name, grid, l.comment());
      } else {
        Gemm g = (Gemm) st;
        line = String.format(Locale.ROOT, "%-" + width + "s %s", "cublasSgemm(" + (g.transA() ? "T" : "N") + (g.transB() ? "T" : "N")
            + ")", g.comment());
      }
      s.append(comment("    " + line));
    }
  }

  /**
   * The preamble's helpers that {@code kernels} call, directly or through another helper, in the
   * preamble's order: an unused static function would only make nvcc warn (#177) and the reader look.
   */
  static String helpers(CharSequence kernels) {
    List<String> blocks = List.of(HELPERS.strip().split("\n\n"));
    StringBuilder uses = new StringBuilder(kernels);
    boolean[] keep = new boolean[blocks.size()];
    for (int i = blocks.size() - 1; i >= 0; i--) { // a helper calls only those defined above it
      Matcher m = HELPER_NAME.matcher(blocks.get(i));
      if (!m.find()) throw new IllegalStateException("no helper defined in: " + blocks.get(i));
      if (uses.indexOf(m.group(1) + "(") >= 0) {
        keep[i] = true;
        uses.append(blocks.get(i).substring(m.end()));
      }
    }
    StringBuilder b = new StringBuilder("// ---- helpers ----\n");
    for (int i = 0; i < blocks.size(); i++) if (keep[i]) b.append('\n').append(blocks.get(i)).append('\n');
    return b.toString();
  }

  private static final Pattern HELPER_NAME = Pattern.compile(
      "static __device__ __forceinline__ [a-z ]+ (cnnc_\\w+)\\(");

  /** Every helper a kernel may call, each a block of its own (a comment and one function), blank lines between. */
  private static final String HELPERS = """
      // relu that lets NaN through, as the CPU backend's Math.max does, so a diverging run is noticed.
      static __device__ __forceinline__ float cnnc_relu(float v) { return v < 0.f ? 0.f : v; }

      static __device__ __forceinline__ float cnnc_leaky_relu(float v, float a) { return v > 0.f ? v : a * v; }

      // GELU as PyTorch's default (exact, erf-based): x·Φ(x).
      static __device__ __forceinline__ float cnnc_gelu(float v) { return 0.5f * v * (1.f + erff(v * 0.70710678118654752f)); }

      // d gelu / dx = Φ(x) + x·φ(x).
      static __device__ __forceinline__ float cnnc_gelu_grad(float v) {
        return 0.5f * (1.f + erff(v * 0.70710678118654752f)) + v * 0.39894228040143268f * expf(-0.5f * v * v);
      }

      static __device__ __forceinline__ float cnnc_sigmoid(float v) { return 1.f / (1.f + expf(-v)); }

      // The larger of a and b, NaN if either is (Java's Math.max).
      static __device__ __forceinline__ float cnnc_max(float a, float b) { return a != a || a > b ? a : b; }

      static __device__ __forceinline__ float cnnc_neg_inf() { return __int_as_float((int) 0xff800000u); }

      // SplitMix64's finaliser, as dev.cnnc.runtime.cpu.Rng.mix.
      static __device__ __forceinline__ unsigned long long cnnc_mix(unsigned long long z) {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
      }

      // Uniform in [0, 1) for element `index` of `stream` under `seed`: the numbers Rng.uniform gives on the CPU.
      static __device__ __forceinline__ float cnnc_uniform(unsigned long long seed, int stream, long long index) {
        const unsigned long long h =
            cnnc_mix(seed * 0x9e3779b97f4a7c15ull + cnnc_mix(((unsigned long long) (long long) stream << 40) ^ (unsigned long long) index));
        return (float) (h >> 40) * 5.9604644775390625e-8f;
      }
      """;
}
