// Spec texts for the plugin's tests: one clean, one with the seed article's fc bug, one with a warning.
package dev.cnnc.maven;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

final class Specs {
  static final String TINY = """
      # A tiny network for tests.
      network Tiny {
        input 3x32x32
        conv(3, 4, k3, p1) -> relu -> pool(k4, s4)
        -> flatten
        -> fc(4*8*8, 10)
      }
      """;

  /** The seed article's SimpleCNN as published: fc1 wants 8192 features, flatten gives 2048. */
  static final String BUG = """
      network SimpleCNN {
        input 3x32x32
        conv1: conv(3, 16, k3, s1, p1) -> relu -> pool(k2, s2)
        conv2: conv(16, 32, k3, p1) -> relu -> pool(k2, s2)
        -> flatten
        fc1: fc(8192, 512) -> relu
        fc2: fc(512, 10)
      }
      """;

  /** Checks with one warning: a 2×2 pool does not tile 33×33. */
  static final String WARNING = """
      network Odd {
        input 3x33x33
        conv(3, 8, k3, p1) -> relu -> pool
        -> flatten -> fc(10)
      }
      """;

  private Specs() {}

  static Path write(Path dir, String name, String text) {
    try {
      Path p = dir.resolve(name);
      Files.createDirectories(p.getParent());
      return Files.writeString(p, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
