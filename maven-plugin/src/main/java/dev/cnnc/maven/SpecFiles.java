// Finds the spec files a goal works on: a source directory filtered by Ant-style include and
// exclude patterns, the way Maven users already write them for resources and the compiler.
package dev.cnnc.maven;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

final class SpecFiles {
  static final List<String> DEFAULT_INCLUDES = List.of("**/*.cnn");

  private SpecFiles() {}

  /**
   * Files under {@code dir} whose path relative to it (with '/') matches an include and no
   * exclude, sorted so every run works in the same order. A missing directory holds nothing.
   */
  static List<Path> scan(Path dir, List<String> includes, List<String> excludes) throws IOException {
    if (!Files.isDirectory(dir)) return List.of();
    List<Pattern> in = (includes == null || includes.isEmpty() ? DEFAULT_INCLUDES : includes).stream()
        .map(SpecFiles::antPattern).toList();
    List<Pattern> out = (excludes == null ? List.<String>of() : excludes).stream().map(SpecFiles::antPattern).toList();
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile)
          .filter(p -> {
            String rel = relative(dir, p);
            return in.stream().anyMatch(m -> m.matcher(rel).matches())
                && out.stream().noneMatch(m -> m.matcher(rel).matches());
          })
          .sorted()
          .toList();
    }
  }

  /** {@code p} relative to {@code dir}, with '/' between names on every platform. */
  static String relative(Path dir, Path p) {
    return dir.relativize(p).toString().replace('\\', '/');
  }

  /**
   * An Ant pattern as a regular expression: {@code **} crosses directories ({@code **}{@code /}
   * also matches no directory at all), {@code *} and {@code ?} stay inside one name, and a
   * trailing '/' means everything below.
   */
  static Pattern antPattern(String glob) {
    String g = glob.trim().replace('\\', '/');
    while (g.startsWith("./")) g = g.substring(2);
    if (g.endsWith("/")) g += "**";
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < g.length(); i++) {
      char c = g.charAt(i);
      if (c == '*' && i + 1 < g.length() && g.charAt(i + 1) == '*') {
        boolean slash = i + 2 < g.length() && g.charAt(i + 2) == '/';
        re.append(slash ? "(?:.*/)?" : ".*");
        i += slash ? 2 : 1;
      } else if (c == '*') {
        re.append("[^/]*");
      } else if (c == '?') {
        re.append("[^/]");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }

  /** The file's text; a spec that is not UTF-8 is the user's problem to fix, so say so plainly. */
  static String read(Path p) throws IOException {
    byte[] bytes = Files.readAllBytes(p);
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new IOException("it is not a UTF-8 text file", e);
    }
  }
}
