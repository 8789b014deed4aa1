// `cnnc bench`: what it reports, in both formats, and its argument errors. Speeds are never checked
// here (shared machines are noisy); only that the figures exist and fit together.
package dev.cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
  private static final String[] SHORT = {"--threads", "2", "--batch", "8", "--infer-batch", "16", "--seconds", "0.05",
      "--windows", "1", "--peak-gflops", "100", "--max-warm-up", "1"};

  private static Cli.Result bench(String... more) {
    String[] args = new String[2 + SHORT.length + more.length];
    args[0] = "bench";
    args[1] = Cli.example("lenet5.cnn").toString();
    System.arraycopy(SHORT, 0, args, 2, SHORT.length);
    System.arraycopy(more, 0, args, 2 + SHORT.length, more.length);
    return Cli.run(args);
  }

  @Test
  void jsonHasTheRatesEveryKernelAndTheJitCheck() {
    Cli.Result r = bench("--format", "json");
    assertEquals(0, r.exit(), r.toString());
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals("LeNet5", o.get("network").getAsString(), r.out());
    assertEquals(2, o.get("threads").getAsInt());
    assertEquals(8, o.get("batch").getAsInt());
    assertEquals(100.0, o.get("peak_gflops").getAsDouble());
    assertTrue(o.get("train_images_per_s").getAsDouble() > 0);
    assertTrue(o.get("infer_images_per_s").getAsDouble() > 0);
    // at least the first window (10 calls), at most --max-warm-up and the window that crossed it
    for (String phase : new String[] {"train", "infer"}) {
      double warm = o.get(phase + "_warm_up_s").getAsDouble();
      assertTrue(warm > 0 && warm < 30, phase + " warm-up " + warm);
    }
    assertTrue(o.get("jit_suspects").isJsonArray(), "kernels compiled without intrinsics are always listed, maybe none");
    boolean train = false, backward = false, infer = false;
    for (JsonElement e : o.getAsJsonArray("layers")) {
      JsonObject l = e.getAsJsonObject();
      String phase = l.get("phase").getAsString();
      train |= phase.equals("train");
      backward |= phase.equals("backward");
      infer |= phase.equals("infer");
      assertTrue(l.get("ms_per_step").getAsDouble() >= 0, l.toString());
      if (l.get("op").getAsString().startsWith("conv")) {
        assertTrue(l.get("gflops").getAsDouble() > 0, l.toString());
        assertEquals(l.get("gflops").getAsDouble() / 100.0, l.get("peak_share").getAsDouble(), 1e-9);
      }
    }
    assertTrue(train && backward && infer, "every phase is profiled: " + r.out());
    // the table's own step times: whole steps hold their kernels
    double trainStep = o.get("profiled_train_ms_per_step").getAsDouble();
    double trainKernels = o.get("profiled_train_kernel_ms").getAsDouble();
    assertTrue(trainKernels > 0 && trainKernels <= trainStep, r.out());
    double inferBatch = o.get("profiled_infer_ms_per_batch").getAsDouble();
    double inferKernels = o.get("profiled_infer_kernel_ms").getAsDouble();
    assertTrue(inferKernels > 0 && inferKernels <= inferBatch, r.out());
  }

  @Test
  void textSkipsTheLayersWhenAsked() {
    Cli.Result r = bench("--skip-layers");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("training:") && r.out().contains("inference:"), r.out());
    assertTrue(!r.out().contains("GFLOP/s  % peak") && !r.out().contains("phase") && !r.out().contains("while profiling"), r.out());
    assertTrue(r.err().contains("warming up"), r.err());
    assertTrue(r.out().contains("warm-up until the JIT went quiet: training"), r.out());
  }

  @Test
  void nonPositiveSettingsAreAUsageError() {
    Cli.Result r = Cli.run("bench", Cli.example("lenet5.cnn").toString(), "--windows", "0");
    assertEquals(Main.USAGE, r.exit(), r.toString());
    assertTrue(r.err().contains("must be positive"), r.err());
  }

  /** The GPU bench's measurement is CudaSpeed (tested on the emulator); here, the machine without a GPU. */
  @Test
  void theGpuBenchWithoutAGpuSaysWhatIsMissingAndTheInterpreterIsRefused() {
    org.junit.jupiter.api.Assumptions.assumeFalse(java.nio.file.Files.exists(java.nio.file.Path.of("/dev/nvidiactl")),
        "this machine has a GPU");
    Cli.Result r = Cli.run("bench", Cli.example("lenet5.cnn").toString(), "--backend", "cuda");
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("GPU") || r.err().contains("CUDA"), r.err());
    assertTrue(!r.err().contains("Exception") && !r.err().contains("at dev.cnnc"), r.err());
    Cli.Result ref = Cli.run("bench", Cli.example("lenet5.cnn").toString(), "--backend", "reference");
    assertEquals(Main.USAGE, ref.exit(), ref.toString());
    assertTrue(ref.err().contains("bench java or cuda"), ref.err());
  }

  /**
   * picocli reads the signatures of every command's methods before running any: a method naming a
   * java.management type (BenchCommand's JIT clock did) stopped every command, `check` too, on a
   * runtime without that module, such as a jlink'd one.
   */
  @Test
  void noCommandsSignatureNeedsJavaManagement() {
    List<Class<?>> classes = new java.util.ArrayList<>(List.of(Main.class));
    classes.addAll(List.of(Main.class.getAnnotation(picocli.CommandLine.Command.class).subcommands()));
    assertTrue(classes.contains(BenchCommand.class), classes.toString());
    for (Class<?> c : classes) {
      for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
        List<Class<?>> types = new java.util.ArrayList<>(List.of(m.getParameterTypes()));
        types.add(m.getReturnType());
        for (Class<?> t : types) {
          while (t.isArray()) t = t.getComponentType();
          assertTrue(t.isPrimitive() || !"java.management".equals(t.getModule().getName()), c.getSimpleName() + "." + m.getName()
              + " names " + t.getName());
        }
      }
    }
  }
}
