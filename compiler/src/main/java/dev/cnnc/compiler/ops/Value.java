// An argument's value after block parameters are substituted: an integer, a real, a bare name or a string.
package dev.cnnc.compiler.ops;

public sealed interface Value {
  record Int(long value) implements Value {
    public String toString() {
      return Long.toString(value);
    }
  }

  record Real(double value, String text) implements Value {
    public String toString() {
      return text;
    }
  }

  /** A bare word: a flag ({@code same}, {@code nobias}) or a shorthand ({@code k3}). */
  record Name(String name) implements Value {
    public String toString() {
      return name;
    }
  }

  /** An argument whose expression could not be computed; the reason is already reported. */
  record Invalid() implements Value {
    public String toString() {
      return "?";
    }
  }

  record Str(String value) implements Value {
    public String toString() {
      return '"' + value + '"';
    }
  }
}
