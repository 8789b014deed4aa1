// Include and exclude patterns behave as Maven users know them from resources and the compiler.
package dev.cnnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecFilesTest {
  private static boolean matches(String pattern, String path) {
    Pattern p = SpecFiles.antPattern(pattern);
    return p.matcher(path).matches();
  }

  @Test
  void antPatterns() {
    assertTrue(matches("**/*.cnn", "a.cnn"));
    assertTrue(matches("**/*.cnn", "x/y/a.cnn"));
    assertFalse(matches("**/*.cnn", "a.cnn.bak"));
    assertTrue(matches("*.cnn", "a.cnn"));
    assertFalse(matches("*.cnn", "x/a.cnn"));
    assertTrue(matches("broken/", "broken/a.cnn"));
    assertTrue(matches("x/**", "x/y/z.cnn"));
    assertTrue(matches("x/**/z.cnn", "x/z.cnn"));
    assertTrue(matches("net?.cnn", "net1.cnn"));
    assertFalse(matches("net?.cnn", "net12.cnn"));
    assertTrue(matches("a+b (1).cnn", "a+b (1).cnn"));
  }

  @Test
  void scanSortsAndFilters(@TempDir Path dir) throws Exception {
    Specs.write(dir, "b.cnn", Specs.TINY);
    Specs.write(dir, "a.cnn", Specs.TINY);
    Specs.write(dir, "sub/c.cnn", Specs.TINY);
    Specs.write(dir, "broken/d.cnn", Specs.BUG);
    Specs.write(dir, "notes.txt", "");
    List<String> all = SpecFiles.scan(dir, null, null).stream().map(p -> SpecFiles.relative(dir, p)).toList();
    assertEquals(List.of("a.cnn", "b.cnn", "broken/d.cnn", "sub/c.cnn"), all);
    List<String> some = SpecFiles.scan(dir, List.of("**/*.cnn"), List.of("broken/**", "b.cnn")).stream()
        .map(p -> SpecFiles.relative(dir, p)).toList();
    assertEquals(List.of("a.cnn", "sub/c.cnn"), some);
    assertEquals(List.of(), SpecFiles.scan(dir.resolve("missing"), null, null));
  }

  @Test
  void nonUtf8IsAnError(@TempDir Path dir) throws Exception {
    Path p = Files.write(dir.resolve("x.cnn"), new byte[] {(byte) 0xff, (byte) 0xfe, 'n'});
    assertTrue(org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> SpecFiles.read(p))
        .getMessage().contains("UTF-8"));
  }
}
