// Elementwise activations: relu, leaky_relu(a), gelu, sigmoid, tanh. Shape in = shape out.
package dev.cnnc.compiler.ops;

import java.util.Locale;

/** @param alpha the negative slope of leaky_relu; unused by the others */
public record Activation(Shape input, Fn fn, double alpha) implements Op {
  public enum Fn {
    RELU("relu"),
    LEAKY_RELU("leaky_relu"),
    GELU("gelu"),
    SIGMOID("sigmoid"),
    TANH("tanh");

    public final String word;

    Fn(String word) {
      this.word = word;
    }
  }

  public static final String USAGE = "relu, leaky_relu(0.01), gelu, sigmoid or tanh";

  static Op bind(Binding b, Fn fn) {
    double alpha = 0;
    if (fn == Fn.LEAKY_RELU) {
      var named = b.args().number("a", "slope", "negative_slope");
      alpha = named.isPresent() ? named.getAsDouble() : b.args().real("negative slope").orElse(0.01);
    }
    b.args().finish();
    return b.args().failed() ? null : new Activation(b.input(), fn, alpha);
  }

  @Override
  public Shape output() {
    return input;
  }

  @Override
  public String kind() {
    return fn.word;
  }

  @Override
  public String describe() {
    return fn == Fn.LEAKY_RELU ? String.format(Locale.ROOT, "leaky_relu %s", alpha) : fn.word;
  }
}
