// What a person sees: the diagnostic line, the quoted source with its caret, the help lines.
package dev.cnnc.compiler.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnnc.compiler.Frontend;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextRendererTest {
  private static Diagnostic error(int line, int column, int length, String message) {
    return new Diagnostic(Severity.ERROR, "test", "t.cnn", new Span(line, column, length), message, List.of("a fix"));
  }

  @Test
  void theSeedBugReadsAsDesigned() {
    String spec = """
        network SimpleCNN {
          input 3x32x32
          conv1: conv(3, 16, k3, s1, p1) -> relu -> pool(k2, s2)
          conv2: conv(16, 32, k3, p1) -> relu -> pool(k2, s2)
          -> flatten
          fc1: fc(8192, 512) -> relu
          fc2: fc(512, 10)
        }
        """;
    SourceFile source = new SourceFile("simple.cnn", spec);
    String text = TextRenderer.render(source, Frontend.check(source).diagnostics().sorted());
    assertEquals("""
        simple.cnn:6:8: error: `fc1` expects 8192 input features, but its input has 2048
         6 |   fc1: fc(8192, 512) -> relu
           |        ^^^^^^^^^^^^^
          help: how the shape got here: 3×32×32 → conv1 (conv 3→16 k3 s1 p1) → 16×32×32 → pool_0 (pool k2 s2) → 16×16×16 → conv2 (conv 16→32 k3 s1 p1) → 32×16×16 → pool_1 (pool k2 s2) → 32×8×8 → flatten_0 (flatten) → 2048
          help: the spatial size goes 32 → 16 (pool_0, pool k2 s2) → 8 (pool_1, pool k2 s2), so the last feature map is 32×8×8
          help: flattening 32×8×8 gives 32·8·8 = 2048 features, not 8192
          help: write `fc(2048, 512)`, or `fc(512)` to infer the input size
        """, text);
  }

  @Test
  void aLongLineIsQuotedAsAWindowAroundTheCaret() {
    String line = "x".repeat(1000) + "HERE" + "y".repeat(1000);
    String text = TextRenderer.render(new SourceFile("t.cnn", line), error(1, 1001, 4, "here"));
    String[] rows = text.split("\n");
    assertTrue(rows[1].startsWith(" 1 | …") && rows[1].endsWith("…"), rows[1]);
    assertTrue(rows[1].length() < 200, "quoted " + rows[1].length() + " characters");
    int caret = rows[2].indexOf('^');
    assertEquals("HERE", rows[1].substring(caret, caret + 4));
    assertEquals("^^^^", rows[2].substring(caret));
  }

  @Test
  void columnsCountCodePointsAsTheParserDoes() {
    // The string holds two emoji (two UTF-16 units each); the parser puts `relu` at column 17,
    // counting each emoji once.
    String spec = "network N {\n  input 3x32x32\n  dropout(\"\ud83d\ude00\ud83d\ude00\") relu -> gap -> fc(10)\n}\n";
    SourceFile source = new SourceFile("t.cnn", spec);
    List<Diagnostic> found = Frontend.check(source).diagnostics().sorted();
    assertEquals(1, found.size(), found::toString);
    assertEquals(17, found.get(0).span().column());
    String[] rows = TextRenderer.render(source, found).split("\n");
    int caret = rows[2].codePointCount(0, rows[2].indexOf('^'));
    int[] quoted = rows[1].codePoints().toArray();
    assertEquals("relu", new String(quoted, caret, 4));
  }

  @Test
  void controlCharactersNeverReachTheTerminal() {
    String text = TextRenderer.render(new SourceFile("t.cnn", "relu\u001b[31m\tx"),
        new Diagnostic(Severity.ERROR, "test", "t.cnn", new Span(1, 5, 1), "found `\u001b`", List.of("\u0007")));
    assertTrue(text.chars().noneMatch(c -> c < 0x20 && c != '\n'), text);
    assertTrue(text.contains("relu\uFFFD[31m x"), text);
  }

  @Test
  void linesEndAtNewlinesAsTheParserCountsThem() {
    SourceFile crlf = new SourceFile("t.cnn", "a\r\nb\r\n");
    assertEquals("a", crlf.line(1));
    assertEquals("b", crlf.line(2));
    assertEquals("", crlf.line(3));
    assertEquals(3, crlf.lineCount());
    SourceFile cr = new SourceFile("t.cnn", "a\rb\rc");
    assertEquals(1, cr.lineCount(), "a lone \\r does not end a line for the parser");
    assertEquals("a\rb\rc", cr.line(1));
    assertEquals("", cr.line(0));
    assertEquals("", cr.line(99));
  }
}
