// The front end as one call: parse, resolve, check shapes. What `cnnc check` runs.
package dev.cnnc.compiler;

import dev.cnnc.compiler.ast.SpecFile;
import dev.cnnc.compiler.diag.Diagnostics;
import dev.cnnc.compiler.diag.SourceFile;
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
    Optional<SpecFile> ast = SpecParser.parse(diagnostics);
    Optional<ResolvedSpec> resolved = ast.flatMap(a -> Resolver.resolve(a, diagnostics));
    Optional<Graph> graph = resolved.flatMap(r -> ShapeChecker.check(r, diagnostics));
    return new Result(diagnostics, diagnostics.hasErrors() ? Optional.empty() : graph);
  }
}
