// Renders diagnostics for people: "file:line:col: error: message", the source line, a caret, help.
package dev.cnnc.compiler.diag;

import java.util.List;

public final class TextRenderer {
  private TextRenderer() {}

  public static String render(SourceFile source, List<Diagnostic> diagnostics) {
    StringBuilder out = new StringBuilder();
    for (Diagnostic d : diagnostics) out.append(render(source, d));
    return out.toString();
  }

  public static String render(SourceFile source, Diagnostic d) {
    StringBuilder out = new StringBuilder();
    Span s = d.span();
    out.append(d.file());
    if (s.isKnown()) out.append(':').append(s.line()).append(':').append(s.column());
    out.append(": ").append(d.severity().word()).append(": ").append(d.message()).append('\n');
    if (s.isKnown()) {
      String line = source.line(s.line()).replace('\t', ' ');
      String number = Integer.toString(s.line());
      String gutter = " ".repeat(number.length());
      int start = Math.min(s.column() - 1, line.length());
      int length = Math.max(1, Math.min(s.length(), Math.max(1, line.length() - start)));
      out.append(' ').append(number).append(" | ").append(line).append('\n');
      out.append(' ').append(gutter).append(" | ").append(" ".repeat(start)).append("^".repeat(length)).append('\n');
    }
    for (String h : d.help()) out.append("  help: ").append(h).append('\n');
    return out.toString();
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
