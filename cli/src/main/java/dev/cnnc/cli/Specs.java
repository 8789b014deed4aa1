// Reads and checks the spec a command works on: diagnostics go to stderr, errors end the command.
package dev.cnnc.cli;

import dev.cnnc.compiler.Frontend;
import dev.cnnc.compiler.diag.Diagnostic;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.diag.TextRenderer;
import dev.cnnc.compiler.ir.Graph;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

final class Specs {
  private Specs() {}

  /** A checked spec: its text (generated code quotes it) and its graph. */
  record Checked(SourceFile source, Graph graph) {}

  /** The checked graph of {@code file}; prints warnings; errors end the command with exit 1. */
  static Checked load(Path file, PrintWriter err, boolean strict) {
    if (!Files.isRegularFile(file)) {
      throw new Main.UserError(Main.USAGE, Files.exists(file) ? file + " is not a file" : "no such file: " + file);
    }
    SourceFile source = SpecInputs.read(file);
    Frontend.Result result = Frontend.check(source);
    List<Diagnostic> found = Reports.strict(result.diagnostics().sorted(), strict);
    err.print(TextRenderer.render(source, found));
    err.flush();
    long errors = found.stream().filter(Diagnostic::isError).count();
    if (errors > 0 || result.graph().isEmpty()) {
      throw new Main.UserError(Main.FAILED, source.name() + " has "
          + TextRenderer.tally((int) Math.max(errors, 1), 0) + "; nothing was done");
    }
    return new Checked(source, result.graph().orElseThrow());
  }
}
