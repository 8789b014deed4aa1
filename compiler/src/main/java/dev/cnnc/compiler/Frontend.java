// The front end as one call: parse, resolve, check shapes. What `cnnc check` runs.
package dev.cnnc.compiler;

import dev.cnnc.compiler.ast.SpecFile;
import dev.cnnc.compiler.diag.Diagnostics;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.diag.Span;
import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.parse.SpecParser;
import dev.cnnc.compiler.resolve.ResolvedSpec;
import dev.cnnc.compiler.resolve.Resolver;
import dev.cnnc.compiler.shape.ShapeChecker;
import java.util.Optional;

public final class Frontend {
  /** @param graph present when the spec has no errors */
  public record Result(Diagnostics diagnostics, Optional<Graph> graph) {
    public boolean ok() {
      return graph.isPresent() && !diagnostics.hasErrors();
    }
  }

  private Frontend() {}

  public static Result check(SourceFile source) {
    Diagnostics diagnostics = new Diagnostics(source);
    Optional<Graph> graph;
    try {
      Optional<SpecFile> ast = SpecParser.parse(diagnostics);
      Optional<ResolvedSpec> resolved = ast.flatMap(a -> Resolver.resolve(a, diagnostics));
      graph = resolved.flatMap(r -> ShapeChecker.check(r, diagnostics));
    } catch (StackOverflowError e) {
      // The parser and resolver bound nesting; this is the net under those limits, so that an
      // absurd spec still gets a message rather than a crash.
      diagnostics.error("too-large", Span.NONE, "the spec is nested too deeply to check",
          "simplify it: fewer nested brackets, blocks or operators");
      graph = Optional.empty();
    }
    return new Result(diagnostics, diagnostics.hasErrors() ? Optional.empty() : graph);
  }
}
