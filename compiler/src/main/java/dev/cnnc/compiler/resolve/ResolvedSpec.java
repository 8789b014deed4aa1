// A spec file after resolution: the network as a tree of named layers, and its train settings.
package dev.cnnc.compiler.resolve;

import dev.cnnc.compiler.diag.Span;
import dev.cnnc.compiler.ops.Shape;
import java.util.List;
import java.util.Optional;

/** @param input empty when the network has no valid input size (already reported) */
public record ResolvedSpec(String network, Span span, Optional<Shape> input, List<RNode> body, TrainSpec train) {}
