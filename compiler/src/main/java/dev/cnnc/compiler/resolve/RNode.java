// The network after resolution: blocks and repeats expanded, parameters substituted, every
// layer named. Shapes are not known yet; the shape checker walks this tree.
package dev.cnnc.compiler.resolve;

import dev.cnnc.compiler.diag.Diagnostics;
import dev.cnnc.compiler.diag.Span;
import dev.cnnc.compiler.ops.ArgValue;
import java.util.List;
import java.util.Optional;

public sealed interface RNode {
  String name();

  Span span();

  /** Where to report problems of this node (adds "in block … used at …" inside blocks). */
  Diagnostics diagnostics();

  /** One built-in layer, e.g. {@code conv} with its arguments. */
  record Layer(String name, String op, List<ArgValue> args, Span span, Diagnostics diagnostics)
      implements RNode {}

  /**
   * A layer, block use or repeat that could not be resolved (unknown layer, bad block arguments,
   * recursion, a bad repeat count); its error is already reported. Shapes after it are unknown.
   */
  record Unresolved(String name, Span span, Diagnostics diagnostics) implements RNode {}

  /**
   * A residual block: {@code body} applied to x, plus a shortcut of x.
   *
   * @param kind "identity", "projection", "zeropad", "custom" when {@code shortcut} is given, or
   *     "unknown" after a bad shortcut argument was reported
   */
  record Residual(
      String name, String kind, List<RNode> body, Optional<List<RNode>> shortcut, String scope,
      Span span, Diagnostics diagnostics)
      implements RNode {}
}
