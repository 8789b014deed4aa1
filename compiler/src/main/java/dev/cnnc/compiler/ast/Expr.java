// Argument expressions: numbers, block parameters and integer arithmetic over them.
package dev.cnnc.compiler.ast;

import dev.cnnc.compiler.diag.Span;

public sealed interface Expr {
  Span span();

  /** An integer literal; {@code text} keeps the digits so overflow can be reported. */
  record IntLit(String text, Span span) implements Expr {}

  record FloatLit(double value, String text, Span span) implements Expr {}

  /** A bare name: a block parameter, a flag ({@code same}, {@code nobias}) or a shorthand ({@code k3}). */
  record Name(Ident name) implements Expr {
    public Span span() {
      return name.span();
    }
  }

  record Str(String value, Span span) implements Expr {}

  record Neg(Expr operand, Span span) implements Expr {}

  record Binary(char op, Expr left, Expr right, Span span) implements Expr {}
}
