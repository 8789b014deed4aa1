// Runs the front end on every spec under src/test/resources/diagnostics and checks its
// diagnostics against the expectations written inline, next to the offending line.
package dev.cnnc.compiler;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cnnc.compiler.diag.Diagnostic;
import dev.cnnc.compiler.diag.Severity;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.diag.TextRenderer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The convention, in the style of Error Prone's inline diagnostics:
 *
 * <pre>
 *   fc1: fc(8192, 512)        # error: expects 8192 input features
 *   conv(16, k4, same)        # warning@3: pads 1 before and 2 after
 *   conv(4, 16, k3) -> bn(8)
 *   #    ^ error: expects 4 input channels
 *   #                     ^ error: expects 8 channels
 *   # help: write `bn(16)`
 * </pre>
 *
 * <ul>
 *   <li>{@code # error: TEXT} or {@code # warning: TEXT} expects a diagnostic of that severity
 *       on the same line whose message contains TEXT; {@code # error@COL: TEXT} also fixes its
 *       column. One line may carry several expectations.
 *   <li>A comment-only line {@code #   ^ error: TEXT} expects it on the closest line above that
 *       is not an expectation line, at the caret's column.
 *   <li>{@code # help: TEXT}, after an expectation on the same line or on a comment-only line
 *       below it, requires one of that diagnostic's help lines to contain TEXT.
 *   <li>Every diagnostic must be expected, one expectation each: anything unexpected (or
 *       reported more often than expected) fails the file.
 * </ul>
 */
class DiagnosticsHarnessTest {
  private static final Pattern MARK = Pattern.compile("#\\s*(\\^?)\\s*(error|warning|help)(?:@(\\d+))?:\\s*");
  private static final Pattern EXPECTATION_LINE = Pattern.compile("^\\s*#\\s*\\^?\\s*(error|warning|help)(@\\d+)?:.*");
  /** ANTLR's own wording, which must never reach a user. */
  private static final List<String> RAW_PARSER_WORDS = List.of("mismatched input", "extraneous input",
      "no viable alternative", "token recognition error", "<EOF>", "missing '", "expecting {");

  /** One expected diagnostic; column 0 means any column. */
  static final class Expected {
    final Severity severity;
    final int line;
    final int column;
    final String text;
    final List<String> help = new ArrayList<>();

    Expected(Severity severity, int line, int column, String text) {
      this.severity = severity;
      this.line = line;
      this.column = column;
      this.text = text;
    }

    boolean matches(Diagnostic d) {
      return d.severity() == severity && d.span().line() == line
          && (column == 0 || d.span().column() == column) && d.message().contains(text)
          && help.stream().allMatch(h -> d.help().stream().anyMatch(l -> l.contains(h)));
    }

    @Override
    public String toString() {
      return line + ":" + (column == 0 ? "*" : column) + ": " + severity.word() + ": …" + text + "…"
          + (help.isEmpty() ? "" : " with help " + help);
    }
  }

  static Stream<String> specs() throws IOException, URISyntaxException {
    Path dir = folder();
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cnn")).sorted().toList();
      assertFalse(names.isEmpty(), "no specs in " + dir);
      return names.stream();
    }
  }

  /** The source folder when run from the module (so deleted specs do not linger in target/), else the classpath copy. */
  private static Path folder() throws URISyntaxException {
    Path source = Path.of("src", "test", "resources", "diagnostics");
    if (Files.isDirectory(source)) return source;
    return Path.of(DiagnosticsHarnessTest.class.getResource("/diagnostics").toURI());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void diagnosticsMatchTheInlineExpectations(String name) throws Exception {
    String text = Files.readString(folder().resolve(name), StandardCharsets.UTF_8);
    SourceFile source = new SourceFile(name, text);
    List<Expected> expected = expectations(text);
    if (expected.isEmpty()) fail(name + " has no `# error:` or `# warning:` expectations");

    List<Diagnostic> actual = Frontend.check(source).diagnostics().sorted();
    List<String> problems = new ArrayList<>();
    // One expectation per diagnostic: a diagnostic reported twice needs two expectations.
    List<Diagnostic> unmatched = new ArrayList<>(actual);
    for (Expected e : expected) {
      Diagnostic match = unmatched.stream().filter(e::matches).findFirst().orElse(null);
      if (match == null) problems.add("missing: " + e);
      else unmatched.remove(match);
    }
    for (Diagnostic d : unmatched) {
      problems.add("unexpected: " + d.span().line() + ":" + d.span().column() + ": " + d.severity().word()
          + ": " + d.message());
    }
    for (Diagnostic d : actual) {
      for (String raw : RAW_PARSER_WORDS) {
        String all = d.message() + "\n" + String.join("\n", d.help());
        if (all.contains(raw)) problems.add("parser jargon `" + raw + "` in: " + d.message());
      }
    }
    if (!problems.isEmpty()) {
      fail(name + ":\n  " + String.join("\n  ", problems) + "\n\nwhat the front end reported:\n"
          + TextRenderer.render(source, actual));
    }
  }

  @org.junit.jupiter.api.Test
  void theConventionItselfReadsAsDocumented() {
    List<Expected> e = expectations(String.join("\n",
        "network N {   # warning@1: ends with",
        "  conv(4, 16, k3) -> bn(8)",
        "  #    ^ error: expects 4",
        "  #                     ^ error: expects 8",
        "  # help: write `bn(16)`",
        "  fc(10)  # error: one  # help: h1  # error@3: two"));
    List<String> seen = e.stream().map(Expected::toString).toList();
    org.junit.jupiter.api.Assertions.assertEquals(List.of(
        "1:1: warning: …ends with…",
        "2:8: error: …expects 4…",
        "2:25: error: …expects 8… with help [write `bn(16)`]",
        "6:*: error: …one… with help [h1]",
        "6:3: error: …two…"), seen);
  }

  /** Reads the expectations out of the spec's comments. */
  static List<Expected> expectations(String text) {
    List<Expected> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    int target = 0; // the line caret expectations refer to
    Expected last = null;
    for (int i = 0; i < lines.length; i++) {
      int number = i + 1;
      String line = lines[i];
      boolean expectationOnly = EXPECTATION_LINE.matcher(line).matches();
      if (!expectationOnly) {
        target = number;
        last = null;
      }
      int hash = line.indexOf('#');
      if (hash < 0) continue;
      Matcher m = MARK.matcher(line);
      for (int from = hash; m.find(from); from = m.end()) {
        String kind = m.group(2);
        Matcher next = MARK.matcher(line);
        String body = line.substring(m.end(), next.find(m.end()) ? next.start() : line.length()).trim();
        if (kind.equals("help")) {
          if (last == null) throw new IllegalArgumentException("line " + number + ": `# help:` without an expectation before it");
          last.help.add(body);
          continue;
        }
        Severity severity = kind.equals("error") ? Severity.ERROR : Severity.WARNING;
        int column = 0;
        int at = number;
        if (!m.group(1).isEmpty()) {
          column = line.indexOf('^', m.start()) + 1;
          at = target;
        } else if (m.group(3) != null) {
          column = Integer.parseInt(m.group(3));
        }
        last = new Expected(severity, at, column, body);
        out.add(last);
      }
    }
    return out;
  }
}
