// Inverted dropout: dropout(0.5) zeroes each element with probability p while training and
// scales the rest by 1/(1 − p); inference passes values through.
package dev.cnnc.compiler.ops;

import java.util.Locale;

public record Dropout(Shape input, double p) implements Op {
  public static final String USAGE = "dropout(0.5) or dropout(p: 0.5)";

  static Op bind(Binding b) {
    Args a = b.args();
    var named = a.number("p");
    double p = named.isPresent() ? named.getAsDouble() : a.real("probability").orElse(0.5);
    a.finish();
    if (!(p >= 0 && p < 1)) a.invalid(a.call(), "dropout probability must be in [0, 1), got " + p);
    return a.failed() ? null : new Dropout(b.input(), p);
  }

  @Override
  public Shape output() {
    return input;
  }

  @Override
  public String kind() {
    return "dropout";
  }

  @Override
  public String describe() {
    return String.format(Locale.ROOT, "dropout %s", p);
  }
}
