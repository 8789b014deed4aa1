// On a machine without an NVIDIA driver (CI, this one) the CUDA backend must stop with a sentence
// naming what is missing, whatever is or is not on the class path, and never with a linker trace.
package dev.cnnc.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CudaAvailabilityTest {
  @BeforeAll
  static void onlyWithoutADriver() {
    assumeTrue("linux-x86_64".equals(CudaAvailability.platform()), "the test class path carries linux-x86_64 JNI jars");
    assumeTrue(CudaAvailability.findLibrary(CudaAvailability.DRIVER_LIBRARY, new ArrayList<>()) == null,
        "this machine has an NVIDIA driver");
  }

  @Test
  void withTheJniJarsButNoDriverTheMessageNamesTheDriverLibrary() {
    CudaUnavailableException e = assertThrows(CudaUnavailableException.class, CudaAvailability::check);
    assertTrue(e.getMessage().startsWith("No NVIDIA driver here: libcuda.so.1 is not installed (looked in "),
        e.getMessage());
    assertTrue(e.getMessage().contains("the ld.so cache") && e.getMessage().contains("/usr/local/nvidia/lib64"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("on a machine without one, use --backend java."), e.getMessage());
  }

  @Test
  void openingTheGpuFailsWithTheSameSentence() {
    CudaUnavailableException e = assertThrows(CudaUnavailableException.class, () -> Cuda.open(0));
    assertTrue(e.getMessage().startsWith("No NVIDIA driver here"), e.getMessage());
  }

  @Test
  void ifJavaCppIsAskedAnywayTheLinkerErrorBecomesASentence() throws Exception {
    // Past the checks, JavaCPP's own loading fails on the missing driver; that error is translated too.
    Throwable e = assertThrows(InvocationTargetException.class,
        () -> Class.forName("dev.cnnc.runtime.cuda.JavaCppDevice").getDeclaredConstructor(int.class).newInstance(0))
        .getCause();
    assertEquals(CudaUnavailableException.class, e.getClass(), String.valueOf(e));
    assertTrue(e.getMessage().startsWith("The CUDA backend could not load the CUDA libraries: libcuda.so.1 is not"
        + " installed, or not on LD_LIBRARY_PATH. It comes with the NVIDIA driver"), e.getMessage());
  }

  @Test
  void withoutTheJniJarsTheMessageNamesThem() throws Exception {
    String problem = problemWith(path -> !path.contains("linux-x86_64"));
    assertTrue(problem.startsWith("The CUDA backend needs the JNI half of the JavaCPP CUDA bindings for linux-x86_64"
        + " (org.bytedeco:cuda:13.1-9.19-1.5.13:linux-x86_64 and org.bytedeco:javacpp:1.5.13:linux-x86_64)"), problem);
    assertTrue(problem.contains("mvn -Pcuda install"), problem);
  }

  @Test
  void withoutTheBindingsTheMessageNamesThem() throws Exception {
    String problem = problemWith(path -> !path.contains("bytedeco"));
    assertEquals("The CUDA backend needs the JavaCPP CUDA bindings (org.bytedeco:cuda:13.1-9.19-1.5.13), and they are"
        + " not on the class path. Rebuild cnnc with Maven, which adds them. Or use --backend java.", problem);
  }

  @Test
  void theLibrarySearchFindsWhatTheLinkerFinds() {
    List<Path> looked = new ArrayList<>();
    assertNotNull(CudaAvailability.findLibrary("libc.so.6", looked));
    assertNull(CudaAvailability.findLibrary("libcnnc-no-such-library.so.1", looked));
    assertFalse(looked.isEmpty());
  }

  @Test
  void theVersionsInTheMessagesAreTheOnesTheBuildUses() throws Exception {
    String pom = java.nio.file.Files.readString(repo().resolve("pom.xml"));
    assertTrue(pom.contains("<javacpp.version>" + CudaAvailability.JAVACPP_VERSION + "</javacpp.version>"));
    assertTrue(pom.contains("<javacpp-cuda.version>13.1-9.19-${javacpp.version}</javacpp-cuda.version>"));
    assertTrue(CudaAvailability.CUDA_PRESETS_VERSION.equals("13.1-9.19-" + CudaAvailability.JAVACPP_VERSION));
  }

  static Path repo() {
    return Path.of(System.getProperty("cnnc.repo", "..")).toAbsolutePath();
  }

  /** CudaAvailability.problem() as seen from a class path that keeps only the entries {@code keep} accepts. */
  private static String problemWith(java.util.function.Predicate<String> keep) throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      if (keep.test(entry)) urls.add(Path.of(entry).toUri().toURL());
    }
    try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
      Class<?> type = Class.forName(CudaAvailability.class.getName(), true, loader);
      return (String) type.getMethod("problem").invoke(null);
    }
  }
}
