// Reads and checks the spec a command works on: diagnostics go to stderr, errors end the command.
package dev.cnnc.cli;

import dev.cnnc.compiler.Frontend;
import dev.cnnc.compiler.diag.Diagnostic;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.diag.TextRenderer;
import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.ir.Node;
import dev.cnnc.compiler.ops.Shape;
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

  /**
   * Fails (exit 1) unless the network ends in {@code classes} logits per image, saying what the
   * last layer gives and how to change it. A trailing softmax is looked through: it keeps the shape.
   */
  static void requireClasses(Checked spec, int classes) {
    Graph g = spec.graph();
    Node last = g.output();
    while (last.op().kind().equals("softmax") && !last.inputs().isEmpty()) last = g.node(last.inputs().get(0));
    Shape out = g.output().output();
    boolean flat = out.isFlat() || (out.h() == 1 && out.w() == 1);
    if (flat && out.channels() == classes) return;
    String where = spec.source().name() + (last.span().isKnown() ? ":" + last.span().line() : "");
    String fix = flat
        ? "make it give " + classes + ", e.g. `" + last.name() + ": " + last.op().kind() + "(" + classes + ")`"
            + (last.op().kind().equals("fc") ? "" : " or end the network with `-> fc(" + classes + ")`")
        : "end the network with `-> gap -> fc(" + classes + ")` or `-> flatten -> fc(" + classes + ")`";
    throw new Main.UserError(Main.FAILED, String.format(
        "%s: the network %s ends in %s (%s), which gives %s values per image, but CIFAR-10 has %d classes:"
            + " the last layer must give %d logits; %s.",
        where, g.name(), last.name(), last.op().describe(), out, classes, classes, fix));
  }
}
