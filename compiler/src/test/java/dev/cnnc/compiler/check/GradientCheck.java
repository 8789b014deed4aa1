// The checks every op and every example network must pass: the reference's gradients against
// central finite differences in double, and the generated Java against the reference.
package dev.cnnc.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.reference.ReferenceModel;
import dev.cnnc.runtime.StepResult;
import dev.cnnc.runtime.TensorSpec;
import dev.cnnc.runtime.cpu.CpuNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

final class GradientCheck {
  /** Generated float32 code against the double reference: relative L2 error of each tensor. */
  static final double JAVA_TOLERANCE = 2e-4;
  /** Reference gradient against central differences in double. */
  static final double FD_TOLERANCE = 1e-5;

  private final Graph graph;
  private final SourceFile source;
  private final int batch;
  private final float smoothing;
  /**
   * The finite-difference step. Deep ReLU networks need a small one: a step that moves some
   * pre-activation across zero (or swaps a max-pool winner) measures a different slope.
   */
  private double h = 1e-5;
  /** Added to every seed of both checks: another draw of parameters and data. */
  private long draw;
  private boolean floorAtRms;

  GradientCheck(SourceFile source, int batch, float smoothing) {
    this.source = source;
    this.graph = Nets.graph(source);
    this.batch = batch;
    this.smoothing = smoothing;
  }

  GradientCheck step(double h) {
    this.h = h;
    return this;
  }

  GradientCheck draw(long draw) {
    this.draw = draw;
    return this;
  }

  /**
   * Measures each gradient tensor against at least the norm it would have at the model's RMS
   * gradient, as CudaKernelsTest does, instead of 1e-3 of the whole gradient's norm. For random
   * networks: a bias before a batch norm, or anything before a batch norm over two values, has a
   * true gradient of 0 (or nearly), and float32 leaves rounding noise of ~1e-7 there.
   */
  GradientCheck floorAtRms() {
    this.floorAtRms = true;
    return this;
  }

  float[] input(long seed) {
    return Nets.randomFloats(batch * (int) graph.input().size(), seed, 1.0);
  }

  int[] labels(long seed) {
    return Nets.labels(batch, graph.output().output().channels(), seed);
  }

  /**
   * Checks d(mean loss)/d(parameter) for every parameter (or {@code perTensor} samples of each
   * tensor when positive, or {@code -total} samples spread over all parameters when negative) and
   * d loss/d input at {@code inputSamples} positions.
   */
  void referenceAgainstFiniteDifferences(int perTensor, int inputSamples) {
    ReferenceModel ref = new ReferenceModel(graph, batch);
    ref.initialize(11 + draw);
    perturb(ref.parameterData(), ref.bufferData(), ref.buffers(), 12 + draw);
    double[] p = Nets.widen(ref.parameterData());
    double[] buf = Nets.widen(ref.bufferData());
    double[] x = Nets.widen(input(13 + 100 * draw));
    int[] y = labels(14 + 100 * draw);
    ReferenceModel.Pass pass = ref.lossAndGradients(p, buf, x, y, batch, smoothing, 15, true);
    List<String> failures = new ArrayList<>();
    double worst = 0;
    SplittableRandom pick = new SplittableRandom(16);
    List<TensorSpec> tensors = ref.parameters();
    if (perTensor < 0) {
      List<TensorSpec> chosen = new ArrayList<>();
      for (int j = 0; j < -perTensor; j++) chosen.add(tensors.get(pick.nextInt(tensors.size())));
      tensors = chosen;
    }
    for (TensorSpec t : tensors) {
      int count = perTensor == 0 ? t.size() : perTensor < 0 ? 1 : Math.min(perTensor, t.size());
      for (int j = 0; j < count; j++) {
        int i = t.offset() + (perTensor == 0 ? j : pick.nextInt(t.size()));
        double fd = difference(ref, p, buf, x, y, p, i);
        double err = error(fd, pass.gradients()[i]);
        worst = Math.max(worst, err);
        if (err > FD_TOLERANCE) failures.add(t.name() + "[" + (i - t.offset()) + "]: analytic " + pass.gradients()[i] + ", finite difference " + fd);
      }
    }
    for (int j = 0; j < inputSamples; j++) {
      int i = pick.nextInt(x.length);
      double fd = difference(ref, p, buf, x, y, x, i);
      double err = error(fd, pass.inputGradient()[i]);
      worst = Math.max(worst, err);
      if (err > FD_TOLERANCE) failures.add("input[" + i + "]: analytic " + pass.inputGradient()[i] + ", finite difference " + fd);
    }
    System.out.printf("%s: reference vs finite differences, worst error %.3g%n", graph.name(), worst);
    assertTrue(failures.isEmpty(), graph.name() + ": " + failures.size() + " gradients disagree with finite differences:\n"
        + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
  }

  /** Mean loss with one coordinate of {@code v} (the parameters or the input) moved by ±h. */
  private double difference(ReferenceModel ref, double[] p, double[] buf, double[] x, int[] y, double[] v, int i) {
    double keep = v[i];
    v[i] = keep + h;
    double up = ref.lossAndGradients(p, buf, x, y, batch, smoothing, 15, true).lossSum() / batch;
    v[i] = keep - h;
    double down = ref.lossAndGradients(p, buf, x, y, batch, smoothing, 15, true).lossSum() / batch;
    v[i] = keep;
    return (up - down) / (2 * h);
  }

  private static double error(double fd, double analytic) {
    return Math.abs(fd - analytic) / Math.max(1e-3, Math.max(Math.abs(fd), Math.abs(analytic)));
  }

  /** One training step and one inference on the generated Java and on the reference, compared. */
  void javaAgainstReference(int threads) {
    javaAgainstReference(threads, JAVA_TOLERANCE);
  }

  /**
   * As above, with each gradient tensor allowed a relative error of {@code tensorTolerance} and
   * the whole gradient a fifth of it.
   */
  void javaAgainstReference(int threads, double tensorTolerance) {
    CpuNetwork net = Nets.java(graph, source, batch, threads);
    ReferenceModel ref = new ReferenceModel(graph, batch);
    net.initialize(21 + draw);
    ref.initialize(21 + draw);
    assertEquals(List.of(ref.parameters().toArray()), List.of(net.parameters().toArray()), "parameter layout");
    perturb(net.parameterData(), net.bufferData(), net.buffers(), 22 + draw);
    System.arraycopy(net.parameterData(), 0, ref.parameterData(), 0, net.parameterData().length);
    System.arraycopy(net.bufferData(), 0, ref.bufferData(), 0, net.bufferData().length);
    float[] x = input(23 + 100 * draw);
    int[] y = labels(24 + 100 * draw);
    StepResult a = net.trainStep(x, y, batch, smoothing, 25 + draw);
    StepResult b = ref.trainStep(x, y, batch, smoothing, 25 + draw);
    String what = graph.name() + " (" + threads + " threads)";
    assertEquals(b.lossSum(), a.lossSum(), 1e-4 * Math.max(1, Math.abs(b.lossSum())), what + ": loss");
    // A bias followed by batch norm has a true gradient of 0: measure it against the whole gradient's size.
    double whole = norm(ref.gradientData());
    double floor = 1e-3 * whole;
    double rms = whole / Math.sqrt(Math.max(1, ref.gradientData().length));
    java.util.Map<String, String> zeroGradient = Nets.biasesUnderBatchNorm(graph);
    double[] wanted = Nets.widen(ref.gradientData());
    for (TensorSpec t : ref.parameters()) {
      double tensorFloor = floorAtRms ? Math.max(floor, rms * Math.sqrt(t.size())) : floor;
      tensorFloor = Nets.floorFor(t, tensorFloor, zeroGradient, ref.parameters(), wanted);
      Nets.Difference d = Nets.compare(slice(net.gradientData(), t), slice(ref.gradientData(), t), tensorFloor);
      assertTrue(d.relative() < tensorTolerance, what + ": gradient of " + t.name() + ": " + d);
    }
    Nets.Difference all = Nets.compare(Nets.widen(net.gradientData()), Nets.widen(ref.gradientData()));
    System.out.printf("%s: java vs reference, all gradients %s%n", what, all);
    assertTrue(all.relative() < tensorTolerance / 5, what + ": all gradients: " + all);
    for (TensorSpec t : ref.buffers()) {
      Nets.Difference d = Nets.compare(slice(net.bufferData(), t), slice(ref.bufferData(), t));
      assertTrue(d.relative() < JAVA_TOLERANCE, what + ": " + t.name() + " after a training step: " + d);
    }
    int k = graph.output().output().channels();
    float[] la = new float[batch * k];
    float[] lb = new float[batch * k];
    net.infer(x, batch, la);
    ref.infer(x, batch, lb);
    assertTrue(batch < 2 || dependsOnInput(lb, k), what + ": the reference's logits are the same for every image,"
        + " so comparing them would prove nothing: " + java.util.Arrays.toString(lb));
    Nets.Difference d = Nets.compare(Nets.widen(la), Nets.widen(lb));
    System.out.printf("%s: java vs reference, inference %s%n", what, d);
    assertTrue(d.relative() < JAVA_TOLERANCE, what + ": inference logits: " + d);
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float f : v) s += (double) f * f;
    return Math.sqrt(s);
  }

  private static double[] slice(float[] data, TensorSpec t) {
    double[] d = new double[t.size()];
    for (int i = 0; i < d.length; i++) d[i] = data[t.offset() + i];
    return d;
  }

  /**
   * Moves parameters off their initial values (batch-norm γ = 1, β = 0 would hide mistakes) and
   * gives the running statistics non-trivial values: means in [−0.5, 0.5), variances in [0.5, 1.5).
   * (Means of 0.5–1.5, as before, shifted every channel down in inference; through ResNet-56's 27
   * blocks every ReLU went to 0, its logits were the fc bias for every image on both sides, and
   * the inference comparison passed while proving nothing.)
   */
  static void perturb(float[] params, float[] buffers, List<TensorSpec> bufferSpecs, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < params.length; i++) params[i] += (float) (r.nextGaussian() * 0.05);
    for (TensorSpec t : bufferSpecs) {
      boolean mean = t.name().endsWith("running_mean");
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        buffers[i] = (float) (mean ? r.nextDouble() - 0.5 : 0.5 + r.nextDouble());
      }
    }
  }

  /** Whether some logit differs between the first two images: else comparing logits says nothing. */
  private static boolean dependsOnInput(float[] logits, int classes) {
    for (int i = 0; i < classes; i++) {
      if (Math.abs(logits[i] - logits[classes + i]) > 1e-6 * Math.max(1, Math.abs(logits[i]))) return true;
    }
    return false;
  }
}
