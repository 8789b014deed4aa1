// A few lines of CUDA C with their indentation: what ops write kernel bodies with.
package dev.cnnc.compiler.ops;

import java.util.Locale;

/** Statements are written as they appear, semicolons included; {@code open}/{@code close} manage braces. */
public final class CudaCode {
  private final StringBuilder text = new StringBuilder();
  private int depth;

  /** One line; {@code format} takes String.format arguments (in the root locale). */
  public CudaCode line(String format, Object... args) {
    text.append("  ".repeat(depth)).append(args.length == 0 ? format : String.format(Locale.ROOT, format, args))
        .append('\n');
    return this;
  }

  public CudaCode comment(String format, Object... args) {
    return line("// " + (args.length == 0 ? format : String.format(Locale.ROOT, format, args)));
  }

  /** "for (…) {" and one level deeper. */
  public CudaCode open(String format, Object... args) {
    line((args.length == 0 ? format : String.format(Locale.ROOT, format, args)) + " {");
    depth++;
    return this;
  }

  public CudaCode close() {
    depth--;
    return line("}");
  }

  /** "} else {" and friends: closes and reopens at the same depth. */
  public CudaCode reopen(String format, Object... args) {
    depth--;
    line("} " + (args.length == 0 ? format : String.format(Locale.ROOT, format, args)) + " {");
    depth++;
    return this;
  }

  public CudaCode add(CudaCode other) {
    for (String l : other.text.toString().split("\n", -1)) {
      if (!l.isEmpty()) text.append("  ".repeat(depth)).append(l).append('\n');
    }
    return this;
  }

  @Override
  public String toString() {
    if (depth != 0) throw new IllegalStateException("unbalanced braces in generated CUDA:\n" + text);
    return text.toString();
  }

  /** A float literal C reads back exactly: "0.01f", "1.0E-5f". */
  public static String f(double v) {
    return Activation.floatLiteral(v);
  }

  /** A double literal: "1.0E-5". */
  public static String d(double v) {
    if (!Double.isFinite(v)) throw new IllegalArgumentException("not a finite double: " + v);
    return Double.toString(v);
  }
}
