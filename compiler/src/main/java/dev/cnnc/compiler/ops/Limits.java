// Sizes beyond which a tensor cannot be held in one Java array: absurd specs stop here, with a message.
package dev.cnnc.compiler.ops;

public final class Limits {
  /** Elements of one tensor per image, and of one parameter tensor. */
  public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private Limits() {}

  /** Reports and returns false when {@code elements} is too many for {@code what}. */
  public static boolean check(Binding b, String what, long elements) {
    if (elements >= 0 && elements <= MAX_ELEMENTS) return true;
    b.error("too-large",
        "`" + b.name() + "` " + what + " would have " + (elements < 0 ? "more than 9·10¹⁸" : String.format("%,d", elements))
            + " elements, more than one array can hold (" + String.format("%,d", MAX_ELEMENTS) + ")",
        "use fewer channels or a smaller input");
    return false;
  }

  /** a·b·c… in long arithmetic, saturating at Long.MAX_VALUE instead of wrapping. */
  public static long product(long... factors) {
    long p = 1;
    for (long f : factors) {
      if (f != 0 && Math.abs(p) > Long.MAX_VALUE / Math.abs(f)) return Long.MAX_VALUE;
      p *= f;
    }
    return p;
  }
}
