// The reference interpreter: executes the IR with each op's plain double-precision loops. It is
// the oracle for every generated kernel and can train a network itself (--backend reference).
package dev.cnnc.compiler.reference;

import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.ir.Layout;
import dev.cnnc.compiler.ir.Node;
import dev.cnnc.compiler.ops.Ref;
import dev.cnnc.compiler.ops.Tensor;
import dev.cnnc.compiler.passes.DropTrailingSoftmax;
import dev.cnnc.runtime.Model;
import dev.cnnc.runtime.StepResult;
import dev.cnnc.runtime.TensorSpec;
import dev.cnnc.runtime.cpu.Init;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the graph as the spec wrote it (no fusion, no folding): only the trailing softmax becomes
 * part of the loss, as on every backend. Parameters live in float arrays (the {@link Model}
 * contract) and are widened to double for each pass; {@link #lossAndGradients} works in double
 * throughout for finite-difference checks.
 */
public final class ReferenceModel implements Model {
  private final Graph graph;
  private final Layout layout;
  private final Map<String, Integer> offsets;
  private final int maxBatch;
  private final float[] params;
  private final float[] gradients;
  private final float[] buffers;

  public ReferenceModel(Graph source, int maxBatch) {
    this.graph = DropTrailingSoftmax.apply(source);
    this.layout = Layout.of(source);
    this.offsets = layout.offsets();
    this.maxBatch = maxBatch;
    this.params = new float[layout.paramCount()];
    this.gradients = new float[params.length];
    this.buffers = new float[layout.bufferCount()];
  }

  public void initialize(long seed) {
    Init.initialize(params, buffers, layout.inits(), seed);
  }

  /** The result of one pass in double precision. */
  public record Pass(double lossSum, int correct, double[] logits, double[] gradients, double[] buffersAfter,
      double[] inputGradient) {}

  /**
   * Forward (training or inference mode), softmax cross-entropy of the mean over the batch and,
   * in training mode, backward. Buffers are read from {@code buffers} and not modified; their
   * updated values come back in the result.
   */
  public Pass lossAndGradients(double[] p, double[] buf, double[] x, int[] labels, int n, double smoothing,
      long seed, boolean training) {
    Run run = new Run(p, buf.clone(), x, n, seed, training);
    run.forward();
    double[] logits = run.out[graph.nodes().size() - 1];
    int k = graph.output().output().channels();
    double[] dLogits = new double[logits.length];
    double loss = 0;
    int correct = 0;
    for (int i = 0; i < n; i++) {
      double max = Double.NEGATIVE_INFINITY;
      int best = 0;
      for (int j = 0; j < k; j++) {
        if (logits[i * k + j] > max) {
          max = logits[i * k + j];
          best = j;
        }
      }
      if (best == labels[i]) correct++;
      double sum = 0;
      for (int j = 0; j < k; j++) sum += Math.exp(logits[i * k + j] - max);
      for (int j = 0; j < k; j++) {
        double logP = logits[i * k + j] - max - Math.log(sum);
        double q = (j == labels[i] ? 1 - smoothing : 0) + smoothing / k;
        loss -= q * logP;
        dLogits[i * k + j] = (Math.exp(logP) - q) / n;
      }
    }
    double[] grads = new double[p.length];
    double[] dx = null;
    if (training) dx = run.backward(dLogits, grads);
    return new Pass(loss, correct, logits, grads, run.buffers, dx);
  }

  /** One pass over the graph: activations, gradients and per-node scratch. */
  private final class Run {
    final double[] p;
    final double[] buffers;
    final double[][] out;
    final double[][] grad;
    final Map<String, double[]> saved = new HashMap<>();
    final int n;
    final long seed;
    final boolean training;

    Run(double[] p, double[] buffers, double[] x, int n, long seed, boolean training) {
      this.p = p;
      this.buffers = buffers;
      this.n = n;
      this.seed = seed;
      this.training = training;
      this.out = new double[graph.nodes().size()][];
      this.grad = new double[graph.nodes().size()][];
      out[0] = x;
    }

    void forward() {
      for (Node v : graph.nodes().subList(1, graph.nodes().size())) {
        out[v.id()] = new double[n * (int) v.output().size()];
        v.op().referenceForward(ref(v));
      }
      bufferViews.forEach((name, data) -> System.arraycopy(data, 0, buffers, offsets.get(name), data.length));
    }

    /** Returns d loss / d input. */
    double[] backward(double[] dLogits, double[] grads) {
      for (int i = 0; i < graph.nodes().size(); i++) grad[i] = new double[out[i].length];
      System.arraycopy(dLogits, 0, grad[graph.nodes().size() - 1], 0, dLogits.length);
      Map<String, double[]> paramGrads = new HashMap<>();
      for (int i = graph.nodes().size() - 1; i >= 1; i--) {
        Node v = graph.node(i);
        v.op().referenceBackward(new NodeRef(v, paramGrads));
        for (Tensor t : v.op().params()) {
          double[] g = paramGrads.get(v.name() + "." + t.suffix());
          if (g != null) System.arraycopy(g, 0, grads, offsets.get(v.name() + "." + t.suffix()), g.length);
        }
      }
      return grad[0];
    }

    Ref ref(Node v) {
      return new NodeRef(v, null);
    }

    /** The {@link Ref} an op sees: its tensors as separate arrays. */
    private final class NodeRef implements Ref {
      final Node v;
      final Map<String, double[]> paramGrads;

      NodeRef(Node v, Map<String, double[]> paramGrads) {
        this.v = v;
        this.paramGrads = paramGrads;
      }

      public int n() {
        return n;
      }

      public boolean training() {
        return training;
      }

      public long seed() {
        return seed;
      }

      public int stream() {
        return v.name().hashCode();
      }

      public double[] x(int i) {
        return out[v.inputs().get(i)];
      }

      public double[] y() {
        return out[v.id()];
      }

      public double[] dy() {
        return grad[v.id()];
      }

      public double[] dx(int i) {
        return grad[v.inputs().get(i)];
      }

      public double[] param(String suffix) {
        return slice(p, v.name() + "." + suffix, paramSize(suffix));
      }

      public double[] grad(String suffix) {
        return paramGrads.computeIfAbsent(v.name() + "." + suffix, k -> new double[paramSize(suffix)]);
      }

      public double[] buffer(String suffix) {
        String name = v.name() + "." + suffix;
        int size = 0;
        for (Tensor t : v.op().buffers()) if (t.suffix().equals(suffix)) size = (int) t.size();
        int s = size;
        return bufferViews.computeIfAbsent(name, k -> slice(buffers, k, s));
      }

      public double[] saved(String what, int size) {
        return saved.computeIfAbsent(v.name() + "/" + what, k -> new double[size]);
      }

      private int paramSize(String suffix) {
        for (Tensor t : v.op().params()) if (t.suffix().equals(suffix)) return (int) t.size();
        throw new IllegalArgumentException(v.name() + " has no parameter " + suffix);
      }
    }

    /** Buffers handed to ops as copies, written back after the forward pass. */
    final Map<String, double[]> bufferViews = new HashMap<>();

    double[] slice(double[] data, String name, int size) {
      double[] d = new double[size];
      System.arraycopy(data, offsets.get(name), d, 0, size);
      return d;
    }
  }

  // ---- Model ----

  @Override
  public List<String> oneValueBatchNorms() {
    return graph.oneValueBatchNorms();
  }

  @Override
  public StepResult trainStep(float[] x, int[] labels, int n, float labelSmoothing, long seed) {
    String problem = trainBatchProblem(n);
    if (problem != null) throw new IllegalArgumentException(problem);
    Pass pass = run(x, labels, n, labelSmoothing, seed, true);
    for (int i = 0; i < gradients.length; i++) gradients[i] = (float) pass.gradients()[i];
    for (int i = 0; i < buffers.length; i++) buffers[i] = (float) pass.buffersAfter()[i];
    return new StepResult(pass.lossSum(), pass.correct());
  }

  @Override
  public void infer(float[] x, int n, float[] logits) {
    int[] labels = new int[n];
    Pass pass = run(x, labels, n, 0, 0, false);
    for (int i = 0; i < pass.logits().length; i++) logits[i] = (float) pass.logits()[i];
  }

  private Pass run(float[] x, int[] labels, int n, float smoothing, long seed, boolean training) {
    if (n < 1 || n > maxBatch) throw new IllegalArgumentException("batch of " + n + "; this model takes 1 to " + maxBatch);
    double[] xd = new double[n * (int) graph.input().size()];
    for (int i = 0; i < xd.length; i++) xd[i] = x[i];
    return lossAndGradients(widen(params), widen(buffers), xd, labels, n, smoothing, seed, training);
  }

  private static double[] widen(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }

  @Override
  public String name() {
    return graph.name();
  }

  @Override
  public int[] inputShape() {
    return graph.input().dims();
  }

  @Override
  public int classes() {
    return graph.output().output().channels();
  }

  @Override
  public int maxBatch() {
    return maxBatch;
  }

  @Override
  public List<TensorSpec> parameters() {
    return layout.params();
  }

  @Override
  public List<TensorSpec> buffers() {
    return layout.buffers();
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
}
