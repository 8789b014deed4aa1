// Prints diagnostics in the chosen format; --strict turns warnings into errors.
package dev.cnnc.cli;

import dev.cnnc.compiler.diag.Diagnostic;
import dev.cnnc.compiler.diag.Severity;
import java.util.List;

final class Reports {
  enum Format { text, json, sarif }

  private Reports() {}

  static List<Diagnostic> strict(List<Diagnostic> diagnostics, boolean strict) {
    if (!strict) return diagnostics;
    return diagnostics.stream()
        .map(d -> d.severity() == Severity.WARNING
            ? new Diagnostic(Severity.ERROR, d.code(), d.file(), d.span(), d.message() + " (--strict)", d.help())
            : d)
        .toList();
  }

  static String version() {
    String v = Reports.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-SNAPSHOT" : v;
  }
}
