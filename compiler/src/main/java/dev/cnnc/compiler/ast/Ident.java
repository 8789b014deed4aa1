// A name written in the spec, with where it was written.
package dev.cnnc.compiler.ast;

import dev.cnnc.compiler.diag.Span;

public record Ident(String text, Span span) {
  @Override
  public String toString() {
    return text;
  }
}
