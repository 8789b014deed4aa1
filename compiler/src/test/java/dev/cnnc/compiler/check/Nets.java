// Test helpers: compile spec text, build models, make random inputs, compare arrays.
package dev.cnnc.compiler.check;

import static org.junit.jupiter.api.Assertions.fail;

import dev.cnnc.compiler.Frontend;
import dev.cnnc.compiler.Pipeline;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.diag.TextRenderer;
import dev.cnnc.compiler.emit.JavaBackend;
import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.runtime.cpu.CpuNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

final class Nets {
  private Nets() {}

  /** The CIFAR-10 binary folder: $CNNC_DATA, else ../shared/data beside the repository; null when neither exists. */
  static Path cifar() {
    String env = System.getenv("CNNC_DATA");
    if (env != null && Files.isDirectory(Path.of(env))) return Path.of(env);
    Path shared = repo().resolve("../shared/data/cifar-10-batches-bin");
    return Files.isDirectory(shared) ? shared : null;
  }

  static Path repo() {
    String p = System.getProperty("cnnc.repo");
    Path dir = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("examples"))) dir = dir.getParent();
    if (dir == null) throw new IllegalStateException("cannot find the repository's examples/ folder");
    return dir;
  }

  static SourceFile example(String name) {
    try {
      Path p = repo().resolve("examples").resolve(name);
      return new SourceFile("examples/" + name, Files.readString(p));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Graph graph(SourceFile source) {
    Frontend.Result r = Frontend.check(source);
    if (!r.ok()) fail("spec does not check:\n" + TextRenderer.render(source, r.diagnostics().sorted()));
    return r.graph().orElseThrow();
  }

  static Graph graph(String text) {
    return graph(new SourceFile("test.cnn", text));
  }

  static CpuNetwork java(Graph g, SourceFile source, int maxBatch, int threads) {
    return new JavaBackend(null).load(Pipeline.run(g), source, maxBatch, threads);
  }

  static float[] randomFloats(int n, long seed, double scale) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * scale);
    return x;
  }

  static int[] labels(int n, int classes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] l = new int[n];
    for (int i = 0; i < n; i++) l[i] = r.nextInt(classes);
    return l;
  }

  static double[] widen(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }

  /** ‖a − b‖ / max(‖b‖, floor), with the worst element, for messages. */
  record Difference(double relative, double worst, int at) {
    @Override
    public String toString() {
      return String.format("relative L2 error %.3g, worst element %.3g at index %d", relative, worst, at);
    }
  }

  static Difference compare(double[] actual, double[] expected) {
    return compare(actual, expected, 1e-12);
  }

  /** As {@link #compare(double[], double[])}, dividing by at least {@code floor} (for tensors whose true value is ~0). */
  static Difference compare(double[] actual, double[] expected, double floor) {
    double num = 0;
    double den = 0;
    double worst = 0;
    int at = -1;
    for (int i = 0; i < expected.length; i++) {
      double d = actual[i] - expected[i];
      num += d * d;
      den += expected[i] * expected[i];
      if (Math.abs(d) > worst || Double.isNaN(d)) {
        worst = Math.abs(d);
        at = i;
      }
    }
    // equal arrays agree even when both are all zeros (0 / 0 would be NaN, which fails)
    return new Difference(num == 0 ? 0 : Math.sqrt(num) / Math.max(Math.sqrt(den), floor), worst, at);
  }

  /**
   * Each bias whose true gradient is exactly 0, mapped to its layer's weight: a conv's or fc's bias
   * whose output only a batch norm reads (in training, batch norm subtracts each channel's batch
   * mean, the bias with it). Float32 leaves rounding noise there (random seeds 80245 and 91083: a
   * few 1e-6 behind a softmax, above the model's RMS gradient), so such a bias is measured against
   * its layer's weight gradient instead: noise is far below 1e-4 of that, while a kernel that summed
   * the wrong values would give a bias gradient of the weight gradient's order.
   */
  static java.util.Map<String, String> biasesUnderBatchNorm(Graph g) {
    java.util.Map<String, String> found = new java.util.LinkedHashMap<>();
    for (dev.cnnc.compiler.ir.Node n : g.nodes()) {
      boolean bias = n.op() instanceof dev.cnnc.compiler.ops.Conv c ? c.bias()
          : n.op() instanceof dev.cnnc.compiler.ops.Fc f && f.bias();
      java.util.List<Integer> readers = g.consumers(n.id());
      if (bias && readers.size() == 1 && g.node(readers.get(0)).op() instanceof dev.cnnc.compiler.ops.BatchNorm) {
        found.put(n.name() + ".bias", n.name() + ".weight");
      }
    }
    return found;
  }

  /** {@code floor}, raised for a bias of {@link #biasesUnderBatchNorm} to the norm of its weight's gradient in {@code want}. */
  static double floorFor(dev.cnnc.runtime.TensorSpec t, double floor, java.util.Map<String, String> zeroGradient,
      java.util.List<dev.cnnc.runtime.TensorSpec> specs, double[] want) {
    String weight = zeroGradient.get(t.name());
    if (weight == null) return floor;
    for (dev.cnnc.runtime.TensorSpec w : specs) {
      if (!w.name().equals(weight)) continue;
      double sum = 0;
      for (int i = 0; i < w.size(); i++) sum += want[w.offset() + i] * want[w.offset() + i];
      return Math.max(floor, Math.sqrt(sum));
    }
    throw new IllegalStateException("no tensor " + weight + " for " + t.name());
  }
}
