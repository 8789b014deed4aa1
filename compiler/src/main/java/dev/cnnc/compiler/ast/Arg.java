// One argument of a layer or setting call: positional ("16") or named ("lr: 0.1").
package dev.cnnc.compiler.ast;

import dev.cnnc.compiler.diag.Span;
import java.util.Optional;

public record Arg(Optional<Ident> key, Expr value, Span span) {}
