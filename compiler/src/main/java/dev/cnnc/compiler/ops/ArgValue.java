// One resolved argument of a layer call, keeping where it was written.
package dev.cnnc.compiler.ops;

import dev.cnnc.compiler.diag.Span;
import java.util.Optional;

public record ArgValue(Optional<String> key, Value value, Span span) {}
