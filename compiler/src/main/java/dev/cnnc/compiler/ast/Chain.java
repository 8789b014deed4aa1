// Layers joined by "->", applied in order.
package dev.cnnc.compiler.ast;

import dev.cnnc.compiler.diag.Span;
import java.util.List;

public record Chain(List<Element> elements, Span span) {
  public Chain {
    elements = List.copyOf(elements);
  }
}
