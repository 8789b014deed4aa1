// Renders diagnostics for people: "file:line:col: error: message", the source line, a caret, help.
package dev.cnnc.compiler.diag;

import java.util.List;

public final class TextRenderer {
  /** Longer source lines are quoted as a window of this many characters around the caret. */
  static final int MAX_QUOTE = 160;
  /** How much of the window goes before the caret. */
  private static final int LEAD = 60;

  private TextRenderer() {}

  public static String render(SourceFile source, List<Diagnostic> diagnostics) {
    StringBuilder out = new StringBuilder();
    for (Diagnostic d : diagnostics) out.append(render(source, d));
    return out.toString();
  }

  public static String render(SourceFile source, Diagnostic d) {
    StringBuilder out = new StringBuilder();
    Span s = d.span();
    out.append(printable(d.file()));
    if (s.isKnown()) out.append(':').append(s.line()).append(':').append(s.column());
    out.append(": ").append(d.severity().word()).append(": ").append(printable(d.message())).append('\n');
    if (s.isKnown()) quote(source.line(s.line()), s, out);
    for (String h : d.help()) out.append("  help: ").append(printable(h)).append('\n');
    return out.toString();
  }

  /** The source line (or a window of it) and a caret line under the span; columns count code points. */
  private static void quote(String text, Span s, StringBuilder out) {
    int[] line = printable(text).codePoints().toArray();
    int start = Math.min(Math.max(s.column() - 1, 0), line.length);
    int length = Math.max(1, Math.min(s.length(), line.length - start));
    int from = 0;
    int to = line.length;
    if (line.length > MAX_QUOTE) {
      from = Math.max(0, Math.min(start - LEAD, line.length - MAX_QUOTE));
      to = Math.min(line.length, from + MAX_QUOTE);
      length = Math.max(1, Math.min(length, to - start));
    }
    String before = from > 0 ? "…" : "";
    String after = to < line.length ? "…" : "";
    String number = Integer.toString(s.line());
    String gutter = " ".repeat(number.length());
    out.append(' ').append(number).append(" | ").append(before).append(new String(line, from, to - from)).append(after)
        .append('\n');
    out.append(' ').append(gutter).append(" | ").append(" ".repeat(before.length() + start - from))
        .append("^".repeat(length)).append('\n');
  }

  /** Tabs as spaces and other control characters as U+FFFD, so nothing in a spec can drive the terminal. */
  static String printable(String text) {
    StringBuilder b = new StringBuilder(text.length());
    text.codePoints().forEach(c -> {
      if (c == '\t') b.append(' ');
      else if (Character.isISOControl(c)) b.append('\uFFFD');
      else b.appendCodePoint(c);
    });
    return b.toString();
  }

  /** "2 errors, 1 warning" (or "no problems"). */
  public static String tally(int errors, int warnings) {
    if (errors == 0 && warnings == 0) return "no problems";
    StringBuilder b = new StringBuilder();
    if (errors > 0) b.append(errors).append(errors == 1 ? " error" : " errors");
    if (warnings > 0) {
      if (b.length() > 0) b.append(", ");
      b.append(warnings).append(warnings == 1 ? " warning" : " warnings");
    }
    return b.toString();
  }
}
