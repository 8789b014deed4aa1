// Finds the real CIFAR-10 files for tests that need them, or skips those tests when absent.
package dev.cnnc.runtime;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cnnc.runtime.data.Cifar10;
import java.nio.file.Files;
import java.nio.file.Path;

public final class TestData {
  private TestData() {}

  /** $CNNC_DATA, else ../../shared/data/cifar-10-batches-bin from the module dir; skips if neither holds the data. */
  public static Path cifar10() {
    String env = System.getenv("CNNC_DATA");
    Path dir = env != null && !env.isBlank()
        ? Path.of(env)
        : Path.of("../../shared/data/cifar-10-batches-bin");
    if (Files.isDirectory(dir.resolve("cifar-10-batches-bin"))) dir = dir.resolve("cifar-10-batches-bin");
    assumeTrue(Files.isDirectory(dir) && Cifar10.missingFiles(dir).isEmpty(),
        "CIFAR-10 not found at " + dir.toAbsolutePath() + " (set CNNC_DATA)");
    return dir;
  }
}
