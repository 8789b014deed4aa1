// The specs under bench/layers/ exercise layers the examples do not (see docs/performance.md): each must check
// cleanly, and its generated Java must match the reference, like an example's.
package dev.cnnc.compiler.check;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cnnc.compiler.diag.SourceFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BenchSpecsTest {
  static Stream<String> specs() {
    try (Stream<Path> files = Files.list(Nets.repo().resolve("bench/layers"))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cnn")).sorted().toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void thereAreSpecs() {
    assertFalse(specs().toList().isEmpty(), "bench/layers/ holds no .cnn files");
  }

  /**
   * The default tolerance (these nets are shallow; 2026-11-30 they matched to 5e-6 or better). A
   * new spec deep enough for ReLU flips at float rounding may need ExampleGradientTest's 5e-2.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void javaMatchesReference(String file) throws IOException {
    Path p = Nets.repo().resolve("bench/layers").resolve(file);
    new GradientCheck(new SourceFile("bench/layers/" + file, Files.readString(p)), 2, 0.1f).javaAgainstReference(2);
  }
}
