// The JIT watcher: which compilations count as suspect, and that it really sees the kernels compile.
package dev.cnnc.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class KernelJitTest {
  private static KernelJit.Compile c2(String method, boolean osr, long bytes, long id) {
    return new KernelJit.Compile(method, 4, osr, true, bytes, id);
  }

  @Test
  void onlyTheLastFullC2CompilationOfAKernelCounts() {
    List<KernelJit.Compile> compiles = List.of(
        c2("VectorGemm.p8x2", true, 76_000, 1),                       // on-stack replacement: the first call only
        c2("VectorGemm.p8x2", false, 3_300, 2),                       // the code every later call runs: fine
        c2("VectorGemm.a8x2", false, 80_200, 3),                     // compiled without the intrinsics
        c2("VectorGemm.mm8x3", false, 79_600, 4),
        c2("VectorGemm.mm8x3", false, 4_100, 9),                      // compiled again, well this time
        new KernelJit.Compile("VectorGemm.slide3x2", 3, false, true, 180_000, 5), // C1's code is always large
        new KernelJit.Compile("VectorGemm.slide6x1", 4, false, false, 90_000, 6));  // a failed compile runs nothing
    assertEquals(List.of("VectorGemm.a8x2 (80 kB)"), KernelJit.suspects(compiles));
    assertEquals(List.of(), KernelJit.suspects(List.of()));
    assertEquals("the JIT compiled VectorGemm.a8x2 (80 kB) without the Vector API's intrinsics (a few kB when compiled"
        + " well): this JVM runs that kernel about 15× slower", KernelJit.describe(KernelJit.suspects(compiles), List.of()));
  }

  @Test
  void adviceNamesTheLimitsOnlyWhenTheyAreLow() {
    List<String> suspects = List.of("VectorGemm.p8x2 (75 kB)");
    String advice = KernelJit.describe(suspects, List.of("-XX:PerMethodTrapLimit=100"));
    assertTrue(advice.endsWith("(this JVM has -XX:PerMethodTrapLimit=100, which makes that likely: run it with"
        + " -XX:PerMethodTrapLimit=1000000 -XX:PerMethodRecompilationCutoff=1000000, as ./cnnc does)"), advice);
    assertFalse(KernelJit.describe(suspects, List.of()).contains("PerMethod"));
    // surefire passes the same flags as ./cnnc, and the JVM reports them
    assertEquals(List.of(), KernelJit.lowLimits());
  }

  /**
   * Every kernel helper that takes or returns a vector is one ./cnnc and surefire force inline: C2
   * does not inline such a helper at a tile's cold call site once it is compiled on its own, and the
   * tile then loses its intrinsics (a 7×7 RGB conv's weight gradient ran 15× slower on every run).
   */
  @Test
  void theHelpersThatPassVectorsAreForcedInline() throws Exception {
    Path repo = Path.of(System.getProperty("cnnc.repo", ".."));
    Path kernels = repo.resolve("runtime/src/main/java/dev/cnnc/runtime/cpu");
    Pattern helper = Pattern.compile("private static \\S+ (\\w+)\\(([^)]*)\\)");
    Set<String> passVectors = new TreeSet<>();
    try (var files = Files.list(kernels)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("Vector")).toList()) {
        Matcher m = helper.matcher(Files.readString(f));
        String cls = f.getFileName().toString().replace(".java", "");
        while (m.find()) {
          if (m.group(0).startsWith("private static FloatVector ") || m.group(2).contains("FloatVector ")) {
            passVectors.add(cls + "." + m.group(1));
          }
        }
      }
    }
    assertEquals(new TreeSet<>(KernelJit.INLINED), passVectors);
    for (String launcher : List.of("cnnc", "pom.xml", "bench/gpu/prepare.sh",
        "bench/jmh/src/main/java/dev/cnnc/bench/KernelBench.java", "examples/maven-project/README.md")) {
      String text = Files.readString(repo.resolve(launcher));
      for (String h : KernelJit.INLINED) {
        assertTrue(text.contains("-XX:CompileCommand=inline,dev/cnnc/runtime/cpu/" + h), launcher + " lacks " + h);
      }
    }
  }

  /** The recording really sees C2 at work: a method hot only here gets compiled while it watches. */
  @Test
  void seesC2CompileAHotMethod() throws Exception {
    try (KernelJit jit = KernelJit.start()) {
      float[] v = new float[4096];
      float sink = 0;
      long until = System.nanoTime() + 2_000_000_000L;
      do {
        sink += hot(v, sink);
      } while (System.nanoTime() < until);
      if (sink == 42) System.out.print("");
      assumeTrue(KernelJit.recordable(), "this runtime has no Flight Recorder");
      List<String> compiled = jit.compiled(KernelJitTest.class.getName());
      assertTrue(compiled.contains("KernelJitTest.hot"), "compiled: " + compiled);
    }
  }

  private static float hot(float[] v, float x) {
    float s = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = v[i] * 0.5f + x;
      s += v[i];
    }
    return s * 1e-9f;
  }
}
