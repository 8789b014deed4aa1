// One message for a person: where, how bad, what is wrong, and how to fix it.
package dev.cnnc.compiler.diag;

import java.util.List;

/**
 * @param code stable kebab-case identifier of the kind of problem (a SARIF rule id)
 * @param help lines with the arithmetic and a fix, shown after the source excerpt
 */
public record Diagnostic(
    Severity severity, String code, String file, Span span, String message, List<String> help) {
  public Diagnostic {
    help = List.copyOf(help);
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }
}
