// Turns names from a spec into safe Java: identifiers, constants, and text for comments.
package dev.cnnc.compiler.emit;

import java.util.Locale;
import java.util.Set;

public final class JavaNames {
  private static final Set<String> KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte",
      "case", "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum",
      "extends", "final", "finally", "float", "for", "goto", "if", "implements", "import", "instanceof",
      "int", "interface", "long", "native", "new", "package", "private", "protected", "public", "return",
      "short", "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws",
      "transient", "try", "void", "volatile", "while", "true", "false", "null", "var", "record", "yield",
      "sealed", "permits", "non-sealed", "_");
  /** Names the generated class refers to; a network must not shadow them. */
  private static final Set<String> TAKEN = Set.of("CpuNetwork", "TensorSpec", "List", "Init", "Rng",
      "MathFns", "Math", "Float", "Double", "Integer", "String", "Object", "System", "Generated",
      "Override", "Arrays", "Class");

  private JavaNames() {}

  /** Letters, digits and underscores only, not starting with a digit. */
  public static String identifier(String name) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      b.append(c < 128 && Character.isLetterOrDigit(c) || c == '_' ? c : '_');
    }
    if (b.length() == 0 || Character.isDigit(b.charAt(0))) b.insert(0, '_');
    return KEYWORDS.contains(b.toString()) ? b + "_" : b.toString();
  }

  /** A class name for the network: capitalised, never a keyword or a name the class uses. */
  public static String className(String network) {
    String id = identifier(network);
    if (id.startsWith("_")) id = "Net" + id;
    String c = Character.toUpperCase(id.charAt(0)) + id.substring(1);
    return TAKEN.contains(c) || KEYWORDS.contains(c) ? c + "Network" : c;
  }

  /** "layer1.rest.0.conv1" + "weight" → "LAYER1_REST_0_CONV1_WEIGHT". */
  public static String constant(String name) {
    return identifier(name).toUpperCase(Locale.ROOT);
  }

  /**
   * Text safe inside a Java comment: no comment terminator, no line breaks, and no backslash that
   * javac's unicode-escape processing could turn into one.
   */
  public static String comment(String text) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') b.append("\\\\");
      else if (c < 32 || c == 127 || c == '\u2028' || c == '\u2029') b.append(' ');
      else b.append(c);
    }
    return b.toString().replace("*/", "*\u2215").replace("/*", "\u2215*");
  }
}
