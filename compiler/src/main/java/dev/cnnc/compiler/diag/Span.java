// A stretch of source text: where a diagnostic points and what its caret underlines.
package dev.cnnc.compiler.diag;

/**
 * @param line 1-based line
 * @param column 1-based column of the first character
 * @param length characters underlined (at least 1)
 */
public record Span(int line, int column, int length) {
  public static final Span NONE = new Span(0, 0, 0);

  public Span {
    if (length < 0) length = 0;
  }

  public boolean isKnown() {
    return line > 0;
  }

  /** The smallest span covering both, when both are on this span's line; else this one. */
  public Span to(Span end) {
    if (!isKnown()) return end;
    if (!end.isKnown() || end.line != line) return this;
    int last = Math.max(column + length, end.column + end.length);
    return new Span(line, column, last - column);
  }
}
