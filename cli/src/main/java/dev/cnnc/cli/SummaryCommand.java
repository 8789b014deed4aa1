// `cnnc summary FILE`: the layer table with shapes, parameters, multiply-adds and memory.
package dev.cnnc.cli;

import dev.cnnc.compiler.Frontend;
import dev.cnnc.compiler.Summary;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.diag.TextRenderer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "summary", description = "Print each layer's output shape, parameters and multiply-adds.")
final class SummaryCommand implements Callable<Integer> {
  enum Format { text, json }

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "the spec file")
  Path file;

  @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
  Format format;

  @Option(names = "--batch", defaultValue = "64", description = "batch size for the activation memory estimate (default: ${DEFAULT-VALUE})")
  int batch;

  @Override
  public Integer call() {
    if (batch < 1) throw new Main.UserError(Main.USAGE, "--batch must be at least 1");
    SourceFile source = SpecInputs.read(file);
    Frontend.Result result = Frontend.check(source);
    spec.commandLine().getErr().print(TextRenderer.render(source, result.diagnostics().sorted()));
    spec.commandLine().getErr().flush();
    if (!result.ok()) return Main.FAILED;
    Summary summary = new Summary(result.graph().orElseThrow());
    spec.commandLine().getOut().print(format == Format.json ? summary.json(batch) : summary.text(batch));
    spec.commandLine().getOut().flush();
    return Main.OK;
  }
}
