// Turns names from a spec into safe CUDA C: kernel-name stems and text for // comments.
package dev.cnnc.compiler.emit;

public final class CudaNames {
  private CudaNames() {}

  /**
   * Letters, digits and underscores, not starting with a digit, and never starting with "cnnc"
   * (the generated helpers' prefix). Kernel names add a role suffix ("_forward"), so no stem
   * can collide with a C++ keyword.
   */
  public static String stem(String name) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      b.append(c < 128 && Character.isLetterOrDigit(c) || c == '_' ? c : '_');
    }
    if (b.length() == 0 || Character.isDigit(b.charAt(0)) || b.toString().startsWith("cnnc")) b.insert(0, "n_");
    return b.toString();
  }

  /**
   * Text safe in a // comment: no line breaks, and no backslash, which would splice the next
   * line into the comment.
   */
  public static String comment(String text) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') b.append('/');
      else if (c < 32 || c == 127 || c == '\u2028' || c == '\u2029' || c == '\u0085') b.append(' ');
      else b.append(c);
    }
    return b.toString().stripTrailing();
  }
}
