// `cnnc check FILE…`: parse and shape-check specs; diagnostics as text, JSON or SARIF.
package dev.cnnc.cli;

import dev.cnnc.compiler.Frontend;
import dev.cnnc.compiler.diag.Diagnostic;
import dev.cnnc.compiler.diag.JsonRenderer;
import dev.cnnc.compiler.diag.SarifRenderer;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.diag.TextRenderer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "check", description = "Parse and shape-check spec files (files, directories or globs).")
final class CheckCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "spec files, directories holding *.cnn, or globs")
  List<String> files;

  @Option(names = "--format", defaultValue = "text", description = "text, json or sarif (default: ${DEFAULT-VALUE})")
  Reports.Format format;

  @Option(names = "--strict", description = "treat warnings as errors")
  boolean strict;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "write the report to FILE instead of stdout (json, sarif) or stderr (text)")
  Path output;

  @Override
  public Integer call() {
    List<JsonRenderer.FileReport> reports = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    int errors = 0;
    int warnings = 0;
    for (Path p : SpecInputs.expand(files)) {
      SourceFile source = SpecInputs.read(p);
      Frontend.Result result = Frontend.check(source);
      List<Diagnostic> found = Reports.strict(result.diagnostics().sorted(), strict);
      reports.add(new JsonRenderer.FileReport(source, found));
      for (Diagnostic d : found) {
        if (d.isError()) errors++;
        else warnings++;
      }
      if (format == Reports.Format.text) text.append(TextRenderer.render(source, found));
    }
    switch (format) {
      case text -> {
        text.append("checked ").append(reports.size()).append(reports.size() == 1 ? " file: " : " files: ")
            .append(TextRenderer.tally(errors, warnings)).append('\n');
        if (output == null) spec.commandLine().getErr().print(text);
        else emit(text.toString());
      }
      case json -> emit(JsonRenderer.render(reports));
      case sarif -> emit(SarifRenderer.render(reports, Reports.version()));
    }
    spec.commandLine().getErr().flush();
    return errors > 0 ? Main.FAILED : Main.OK;
  }

  private void emit(String document) {
    if (output == null) {
      spec.commandLine().getOut().print(document);
      spec.commandLine().getOut().flush();
      return;
    }
    try {
      if (output.getParent() != null) Files.createDirectories(output.getParent());
      Files.writeString(output, document, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new Main.UserError(Main.USAGE, "cannot write " + output + ": " + e.getMessage());
    }
  }
}
