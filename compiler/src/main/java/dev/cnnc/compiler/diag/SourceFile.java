// A spec file's text and name, kept to quote source lines under diagnostics.
package dev.cnnc.compiler.diag;

import java.util.List;

public record SourceFile(String name, String text) {
  /** The text of a 1-based line, without its line terminator; empty when out of range. */
  public String line(int number) {
    List<String> lines = text.lines().toList();
    return number >= 1 && number <= lines.size() ? lines.get(number - 1) : "";
  }
}
