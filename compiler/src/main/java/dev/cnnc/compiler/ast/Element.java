// One link of a chain: a layer call, a residual block or a repeat, optionally labelled and
// repeated with "* n".
package dev.cnnc.compiler.ast;

import dev.cnnc.compiler.diag.Span;
import java.util.List;
import java.util.Optional;

public sealed interface Element {
  Optional<Ident> label();

  /** The "* n" after the element, if any. */
  Optional<Expr> times();

  Span span();

  /** {@code op} or {@code op(args)}: a built-in layer or a named block. */
  record Call(
      Optional<Ident> label, Ident op, List<Arg> args, boolean parens, Optional<Expr> times,
      Span span)
      implements Element {}

  /** {@code residual(kind) { body }} with an optional explicit {@code shortcut { chain }}. */
  record Residual(
      Optional<Ident> label, List<Arg> args, Chain body, Optional<Chain> shortcut,
      Optional<Expr> times, Span span)
      implements Element {}

  /** {@code repeat n { body }}. */
  record Repeat(Optional<Ident> label, Expr count, Chain body, Optional<Expr> times, Span span)
      implements Element {}
}
