// Loading the CUDA backend where CUDA cannot run (CI, this machine) stops at once with a sentence
// naming what is missing, and loads no CUDA class on the way.
package dev.cnnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cnnc.compiler.Frontend;
import dev.cnnc.compiler.Pipeline;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.runtime.CnncException;
import dev.cnnc.runtime.cuda.CudaAvailability;
import dev.cnnc.runtime.cuda.CudaUnavailableException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class CudaBackendTest {
  /** What a user of `cnnc train --backend cuda` sees here; null if the backend started. */
  public static String attempt() throws Exception {
    Path repo = Path.of(System.getProperty("cnnc.repo", "..")).toAbsolutePath();
    SourceFile spec = new SourceFile("examples/seed_simple_cnn.cnn",
        Files.readString(repo.resolve("examples/seed_simple_cnn.cnn")));
    Pipeline.Compiled compiled = Pipeline.run(Frontend.check(spec).graph().orElseThrow());
    try (var model = CudaBackend.load(compiled, spec, 64)) {
      return null;
    } catch (CnncException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  @Test
  void withoutCudaTheBackendStopsWithASentenceAndLoadsNoCudaClass() throws Exception {
    assumeTrue(CudaAvailability.problem() != null, "CUDA can run here");
    List<String> loaded = Collections.synchronizedList(new ArrayList<>());
    List<URL> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      urls.add(Path.of(entry).toUri().toURL());
    }
    try (URLClassLoader isolated = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader()) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        loaded.add(name);
        return super.loadClass(name, resolve);
      }
    }) {
      Class<?> self = Class.forName(CudaBackendTest.class.getName(), true, isolated);
      var attempt = self.getMethod("attempt");
      attempt.setAccessible(true);
      String message = (String) attempt.invoke(null);
      assertEquals(CudaUnavailableException.class.getSimpleName() + ": " + CudaAvailability.problem(), message);
      assertTrue(message.contains("Or use --backend java") || message.contains("use --backend java"), message);
    }
    List<String> cuda = loaded.stream()
        .filter(n -> n.startsWith("org.bytedeco.") || n.equals("dev.cnnc.runtime.cuda.JavaCppDevice")).toList();
    assertEquals(List.of(), cuda, "CUDA classes loaded before the check failed");
    assertTrue(loaded.contains("dev.cnnc.runtime.cuda.CudaAvailability"), "the check ran in the isolated loader");
  }

  @Test
  void hereTheMissingPieceIsTheJniJarOrTheDriver() {
    String problem = CudaAvailability.problem();
    assumeTrue(problem != null, "CUDA can run here");
    assertTrue(problem.startsWith("The CUDA backend needs the JNI half of the JavaCPP CUDA bindings")
        || problem.startsWith("No NVIDIA driver here: libcuda.so.1 is not installed"), problem);
  }
}
