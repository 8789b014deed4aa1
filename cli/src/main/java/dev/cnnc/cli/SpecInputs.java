// Turns command-line arguments (files, directories, globs) into the list of spec files to read.
package dev.cnnc.cli;

import dev.cnnc.compiler.diag.SourceFile;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

final class SpecInputs {
  private SpecInputs() {}

  /** Files as given; directories searched for *.cnn; globs ("specs/**.cnn") expanded. Sorted, no repeats. */
  static List<Path> expand(List<String> args) {
    TreeSet<Path> out = new TreeSet<>();
    for (String a : args) {
      if (a.contains("*") || a.contains("?") || a.contains("[")) {
        out.addAll(glob(a));
        continue;
      }
      Path p = Path.of(a);
      if (Files.isDirectory(p)) {
        List<Path> specs = walk(p, "glob:**.cnn");
        if (specs.isEmpty()) throw new Main.UserError(Main.USAGE, "no spec files (*.cnn) in " + a);
        out.addAll(specs);
      } else if (Files.exists(p)) out.add(p.normalize());
      else throw new Main.UserError(Main.USAGE, "no such file or directory: " + a);
    }
    return new ArrayList<>(out);
  }

  private static List<Path> glob(String pattern) {
    int cut = 0;
    for (int i = 0; i < pattern.length() && "*?[{".indexOf(pattern.charAt(i)) < 0; i++) {
      if (pattern.charAt(i) == '/') cut = i + 1;
    }
    Path base = Path.of(cut == 0 ? "." : pattern.substring(0, cut));
    List<Path> found = Files.isDirectory(base) ? walk(base, "glob:" + pattern) : List.of();
    if (found.isEmpty()) throw new Main.UserError(Main.USAGE, "no spec files match " + pattern);
    return found;
  }

  private static List<Path> walk(Path base, String matcher) {
    PathMatcher m = FileSystems.getDefault().getPathMatcher(matcher);
    try (Stream<Path> s = Files.walk(base)) {
      return s.filter(Files::isRegularFile)
          .map(p -> base.toString().equals(".") ? base.relativize(p) : p)
          .filter(p -> m.matches(p) || m.matches(p.normalize()))
          .map(Path::normalize)
          .toList();
    } catch (IOException e) {
      throw new Main.UserError(Main.USAGE, "cannot list " + base + ": " + e.getMessage());
    }
  }

  static SourceFile read(Path p) {
    if (Files.isDirectory(p)) throw new Main.UserError(Main.USAGE, p + " is a directory, not a spec file");
    if (!Files.exists(p)) throw new Main.UserError(Main.USAGE, "no such file: " + p);
    try {
      byte[] bytes = Files.readAllBytes(p);
      String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
      return new SourceFile(p.toString().replace('\\', '/'), text);
    } catch (CharacterCodingException e) {
      throw new Main.UserError(Main.FAILED, p + " is not a UTF-8 text file");
    } catch (IOException e) {
      throw new Main.UserError(Main.USAGE, "cannot read " + p + ": " + e.getMessage());
    }
  }
}
