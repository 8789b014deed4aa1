// A spec file's text and name, kept to quote source lines under diagnostics.
package dev.cnnc.compiler.diag;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Lines end at {@code \n} (a {@code \r} before it is dropped), which is how the parser numbers
 * them; a lone {@code \r} does not end a line. Line starts are indexed once, so quoting the
 * lines of many diagnostics does not rescan the text.
 */
public final class SourceFile {
  private final String name;
  private final String text;
  private final int[] starts;

  public SourceFile(String name, String text) {
    this.name = Objects.requireNonNull(name);
    this.text = Objects.requireNonNull(text);
    List<Integer> found = new ArrayList<>();
    found.add(0);
    for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) found.add(i + 1);
    starts = found.stream().mapToInt(Integer::intValue).toArray();
  }

  public String name() {
    return name;
  }

  public String text() {
    return text;
  }

  /** Lines as the parser counts them: one more than the number of {@code \n}. */
  public int lineCount() {
    return starts.length;
  }

  /** The text of a 1-based line, without its line terminator; empty when out of range. */
  public String line(int number) {
    if (number < 1 || number > starts.length) return "";
    int from = starts[number - 1];
    int to = number < starts.length ? starts[number] - 1 : text.length();
    if (to > from && text.charAt(to - 1) == '\r') to--;
    return text.substring(from, to);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SourceFile s && s.name.equals(name) && s.text.equals(text);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + text.hashCode();
  }

  @Override
  public String toString() {
    return "SourceFile[" + name + ", " + text.length() + " chars]";
  }
}
