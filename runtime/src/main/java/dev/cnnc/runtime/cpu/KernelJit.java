// Watches the JIT compile the Vector API kernels, to catch the rare JVM where C2 compiles one
// without the Vector API's intrinsics: that JVM then runs the kernel about 15× slower to the end.
package dev.cnnc.runtime.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A Flight Recorder recording of the JIT's compilations of this package's Vector API kernels.
 * Compiled well, a register-tiled kernel is a few kB of machine code; compiled without the
 * intrinsics it is 70–85 kB, every vector a heap object, and runs about 15× slower. Nothing in Java
 * can make C2 compile it again, so `cnnc bench` and `cnnc train` report it and the user runs again.
 * Without the jdk.jfr module it watches nothing.
 *
 * <p>The cause, found with -XX:+LogCompilation (Java 17): C2 adds up the deoptimization traps
 * (and decompiles) recorded in the profile of every method it inlines, and VectorOperators.opCode,
 * inlined once per fma (24 times in an 8 × 3 tile), often carries 5 or more class-check traps from
 * other callers; past -XX:PerMethodTrapLimit (100 by default) or half of
 * -XX:PerMethodRecompilationCutoff (201) C2 stops speculating on types for the whole compile, the
 * Vector API calls lose the exact vector class their intrinsics need, and nothing is intrinsified.
 * At the defaults 6 of 11 runs of ResNet-20's bench were slow one morning here (1 of 10 after a
 * later change of the conv kernels moved the profiles); with the trap limit raised, 1 of 27; with
 * both raised ({@link #FLAGS}, as ./cnnc runs), 0 of 16. A second cause: VectorGemm's helpers that
 * pass vectors (load, put) are called once per tile, a cold site to C2, which does not inline a
 * method already compiled on its own into a medium-sized one there; ./cnnc forces them inline
 * ({@link #INLINED}). The check stays as a guard.
 */
public final class KernelJit implements AutoCloseable {
  /** Final C2 code larger than this: a kernel compiled without intrinsics (here well: 1–18 kB; not: 72–84 kB). */
  static final long SUSPECT_BYTES = 40_000;

  private static final String KERNELS = "dev.cnnc.runtime.cpu.Vector";

  /** The limits ./cnnc, the tests and the JMH forks raise, to this value. */
  static final List<String> LIMITS = List.of("PerMethodTrapLimit", "PerMethodRecompilationCutoff");

  static final long RAISED = 1_000_000;

  /**
   * The kernels' helpers that take or return vectors, which ./cnnc, the tests and the JMH forks
   * force inline ({@code -XX:CompileCommand=inline,dev/cnnc/runtime/cpu/VectorGemm.load}, …).
   */
  public static final List<String> INLINED = List.of("VectorGemm.load", "VectorGemm.put");

  /** Those flags, as on a java command line. */
  public static final String FLAGS = "-XX:PerMethodTrapLimit=" + RAISED + " -XX:PerMethodRecompilationCutoff=" + RAISED;

  /** One finished compilation. */
  record Compile(String method, int level, boolean osr, boolean succeeded, long codeBytes, long id) {}

  private final Object recording;

  private KernelJit(Object recording) {
    this.recording = recording;
  }

  /** Whether this runtime has the Flight Recorder (the jdk.jfr module). */
  static boolean recordable() {
    return ModuleLayer.boot().findModule("jdk.jfr").isPresent();
  }

  /** Starts watching; a no-op watcher when the runtime has no Flight Recorder. */
  public static KernelJit start() {
    try {
      return new KernelJit(Recorder.start());
    } catch (LinkageError | RuntimeException e) {
      return new KernelJit(null);
    }
  }

  /**
   * Stops watching and names each kernel whose last full (not on-stack-replacement) C2 compilation
   * is suspect, with its size: "VectorGemm.p8x2 (80 kB)". Empty when all is well or nothing was watched.
   */
  public synchronized List<String> suspects() {
    if (recording == null) return List.of();
    try {
      return suspects(Recorder.stop(recording, KERNELS));
    } catch (IOException | LinkageError | RuntimeException e) {
      return List.of();
    }
  }

  /** The methods of classes named {@code prefix}… that C2 compiled while watching, for tests. */
  List<String> compiled(String prefix) throws IOException {
    TreeSet<String> names = new TreeSet<>();
    for (Compile c : Recorder.stop(recording, prefix)) if (c.level() == 4) names.add(c.method());
    return List.copyOf(names);
  }

  static List<String> suspects(List<Compile> compiles) {
    Map<String, Compile> last = new LinkedHashMap<>();
    compiles.stream()
        .filter(c -> c.level() == 4 && !c.osr() && c.succeeded())
        .sorted(Comparator.comparingLong(Compile::id))
        .forEach(c -> last.put(c.method(), c));
    List<String> out = new ArrayList<>();
    for (Compile c : last.values()) {
      if (c.codeBytes() > SUSPECT_BYTES) out.add(c.method() + " (" + Math.round(c.codeBytes() / 1000.0) + " kB)");
    }
    return out;
  }

  /** What the suspects mean, for a warning: "the JIT compiled … about 15× slower". */
  public static String describe(List<String> suspects) {
    return describe(suspects, lowLimits());
  }

  static String describe(List<String> suspects, List<String> lowLimits) {
    String s = "the JIT compiled " + String.join(", ", suspects) + " without the Vector API's intrinsics (a few kB when"
        + " compiled well): this JVM runs " + (suspects.size() == 1 ? "that kernel" : "those kernels") + " about 15× slower";
    if (!lowLimits.isEmpty()) {
      s += " (this JVM has " + String.join(" and ", lowLimits) + ", which makes that likely: run it with " + FLAGS
          + ", as ./cnnc does)";
    }
    return s;
  }

  /** The limits this JVM leaves low, as "-XX:PerMethodTrapLimit=100"; empty where the JVM does not say (not HotSpot). */
  static List<String> lowLimits() {
    try {
      com.sun.management.HotSpotDiagnosticMXBean vm =
          java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      List<String> low = new ArrayList<>();
      for (String flag : LIMITS) {
        String value = vm.getVMOption(flag).getValue();
        long v = Long.parseLong(value);
        if (v >= 0 && v < RAISED) low.add("-XX:" + flag + "=" + value);
      }
      return low;
    } catch (LinkageError | RuntimeException e) {
      return List.of();
    }
  }

  @Override
  public synchronized void close() {
    if (recording != null) Recorder.close(recording);
  }

  /** The jdk.jfr calls, in their own class so that a runtime without the module fails to link only here. */
  private static final class Recorder {
    static Object start() {
      jdk.jfr.Recording r = new jdk.jfr.Recording();
      r.setName("cnnc kernel compilations");
      r.enable("jdk.Compilation").withThreshold(Duration.ZERO);
      r.setToDisk(true);
      r.start();
      return r;
    }

    static List<Compile> stop(Object recording, String prefix) throws IOException {
      jdk.jfr.Recording r = (jdk.jfr.Recording) recording;
      if (r.getState() == jdk.jfr.RecordingState.RUNNING) r.stop();
      Path file = Files.createTempFile("cnnc-jit", ".jfr");
      try {
        r.dump(file);
        List<Compile> out = new ArrayList<>();
        for (jdk.jfr.consumer.RecordedEvent e : jdk.jfr.consumer.RecordingFile.readAllEvents(file)) {
          jdk.jfr.consumer.RecordedMethod m = e.getValue("method");
          if (m == null || !m.getType().getName().startsWith(prefix)) continue;
          String type = m.getType().getName();
          out.add(new Compile(type.substring(type.lastIndexOf('.') + 1) + "." + m.getName(), e.getInt("compileLevel"),
              e.getBoolean("isOsr"), e.getBoolean("succeded"), e.getLong("codeSize"), e.getLong("compileId")));
        }
        return out;
      } finally {
        Files.deleteIfExists(file);
      }
    }

    static void close(Object recording) {
      ((jdk.jfr.Recording) recording).close();
    }
  }
}
