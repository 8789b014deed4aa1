// Reads kernel, stride, padding and dilation for a windowed op (conv, pools) and computes the
// output size on both axes, with every diagnostic of the shape rules.
package dev.cnnc.compiler.ops;

import java.util.OptionalLong;

final class Spatial {
  enum Pad { EXPLICIT, SAME, VALID }

  record Result(Window h, Window w, int outH, int outW) {
    /** "k3 s1 p1", "k2 s2", "k3 s2 same", "k3 s1 p2 d2". */
    String describe() {
      StringBuilder b = new StringBuilder("k" + h.k() + " s" + h.s());
      if (h.symmetric() && w.symmetric() && h.padBefore() == w.padBefore()) {
        if (h.padBefore() > 0) b.append(" p").append(h.padBefore());
      } else {
        b.append(" pad ").append(h.padBefore()).append('/').append(h.padAfter());
      }
      if (h.d() != 1) b.append(" d").append(h.d());
      return b.toString();
    }
  }

  private Spatial() {}

  /**
   * @param defaultKernel the kernel when none is given, or empty when it is required
   * @param strideDefaultsToKernel pools step by their kernel unless told otherwise
   * @param positionalKernel a kernel given as a bare number ({@code pool(3)}), if the op takes one
   * @return the windows, or null when an error means no output shape exists
   */
  static Result read(Binding b, OptionalLong defaultKernel, boolean strideDefaultsToKernel, OptionalLong positionalKernel) {
    Args a = b.args();
    OptionalLong kArg = a.integer("k", "kernel");
    if (kArg.isPresent() && positionalKernel.isPresent()) {
      a.invalid(a.spanOf("k", "kernel"), "the kernel size is given twice", "write it once, e.g. `k3`");
    }
    OptionalLong given = kArg.isPresent() ? kArg : positionalKernel;
    OptionalLong kernel = given.isPresent() ? given : defaultKernel;
    OptionalLong sArg = a.integer("s", "stride");
    long d = a.integer("d", "dilation").orElse(1);
    // The word form first: `pad: same` must not be read as a padding number named `same`.
    var word = a.word("p", "pad", "padding");
    OptionalLong p = a.integer("p", "pad", "padding");
    Pad mode = a.flag("same") ? Pad.SAME : a.flag("valid") ? Pad.VALID : Pad.EXPLICIT;
    if (word.isPresent()) {
      String w = ((Value.Name) word.get().value()).name();
      if (w.equals("same")) mode = Pad.SAME;
      else if (w.equals("valid")) mode = Pad.VALID;
      else a.invalid(word.get().span(), "padding must be a number, `same` or `valid`, got `" + w + "`");
    }
    if (kernel.isEmpty()) {
      a.invalid(a.call(), "`" + b.op() + "` needs a kernel size", "add one, e.g. `k3` for a 3×3 kernel");
    }
    long k = kernel.orElse(1);
    long s = sArg.orElse(strideDefaultsToKernel ? Math.max(k, 1) : 1); // a bad kernel is reported once
    if (k < 1) {
      a.invalid(kArg.isPresent() ? a.spanOf("k", "kernel") : a.positionalSpan(0), "kernel size must be at least 1, got " + k);
    }
    if (s < 1) a.invalid(a.spanOf("s", "stride"), "stride must be at least 1, got " + s);
    if (d < 1) a.invalid(a.spanOf("d", "dilation"), "dilation must be at least 1, got " + d);
    if (p.isPresent() && p.getAsLong() < 0) {
      a.invalid(a.spanOf("p", "pad", "padding"), "padding must be 0 or more, got " + p.getAsLong());
    }
    if (p.isPresent() && mode != Pad.EXPLICIT) {
      a.invalid(a.spanOf("p", "pad", "padding"), "give either a padding number or `same`/`valid`, not both");
    }
    if (a.failed()) return null;
    if (!b.input().isMap()) {
      b.error("needs-map",
          "`" + b.name() + "` (" + b.op() + ") needs a C×H×W input, but its input is a flat vector of "
              + b.input().channels() + " features",
          b.op() + " layers go before `flatten`; after it, use `fc`");
      return null;
    }
    if (k > Integer.MAX_VALUE || s > Integer.MAX_VALUE || d > Integer.MAX_VALUE
        || p.orElse(0) > Integer.MAX_VALUE) {
      a.invalid(a.call(), "window numbers are too large");
      return null;
    }
    Window h = window(mode, b.input().h(), (int) k, (int) s, (int) d, (int) p.orElse(0));
    Window w = window(mode, b.input().w(), (int) k, (int) s, (int) d, (int) p.orElse(0));
    long outH = h.out(b.input().h());
    long outW = w.out(b.input().w());
    if (outH < 1 || outW < 1) {
      b.error("non-positive-size",
          "`" + b.name() + "` would produce a " + outH + "×" + outW + " output from a "
              + b.input().h() + "×" + b.input().w() + " input",
          "out = " + h.arithmetic(b.input().h()),
          "the spatial size goes " + b.spatialJourney() + " before this layer",
          fix(b, h));
      return null;
    }
    if (mode == Pad.SAME && (!h.symmetric() || !w.symmetric())) {
      b.warning("asymmetric-padding",
          "`" + b.name() + "`: `same` padding with a " + k + "×" + k + " kernel" + (s > 1 ? " and stride " + s : "")
              + " pads " + h.padBefore() + " before and " + h.padAfter() + " after (top/bottom), "
              + w.padBefore() + " and " + w.padAfter() + " (left/right)",
          "total padding = max((out − 1)·s + d·(k − 1) + 1 − n, 0) = max((" + outH + " − 1)·" + s + " + "
              + d + "·(" + k + " − 1) + 1 − " + b.input().h() + ", 0) = " + (h.padBefore() + h.padAfter())
              + ", odd, so the extra row and column go at the bottom and right (as in TensorFlow and PyTorch)",
          "an odd kernel size pads both sides equally");
    }
    long dropH = h.droppedRows(b.input().h());
    long dropW = w.droppedRows(b.input().w());
    if (h.dropsRows(b.input().h()) || w.dropsRows(b.input().w())) {
      b.warning("window-does-not-tile",
          "`" + b.name() + "`: the " + k + "×" + k + " window with stride " + s + " does not tile the "
              + b.input().h() + "×" + b.input().w() + " input; " + dropped(dropH, dropW) + " never read",
          "out = " + h.arithmetic(b.input().h()) + ", and the floor drops the remainder",
          "to read every row, use padding (`same`) or an input size that tiles");
    }
    if (!Limits.check(b, "output", Limits.product(b.input().channels(), outH, outW))) return null;
    return new Result(h, w, (int) outH, (int) outW);
  }

  private static String dropped(long rows, long columns) {
    String r = rows == 0 ? "" : rows == 1 ? "the last row" : "the last " + rows + " rows";
    String c = columns == 0 ? "" : columns == 1 ? "the last column" : "the last " + columns + " columns";
    return r.isEmpty() ? c + " is" : c.isEmpty() ? r + (rows == 1 ? " is" : " are") : r + " and " + c.replace("the last ", "") + " are";
  }

  private static Window window(Pad mode, int n, int k, int s, int d, int p) {
    return switch (mode) {
      case SAME -> Window.same(n, k, s, d);
      case VALID -> Window.of(k, s, d, 0);
      case EXPLICIT -> Window.of(k, s, d, p);
    };
  }

  private static String fix(Binding b, Window h) {
    if (h.s() == 1 && h.k() > 1) {
      return "pad the input (`p" + h.d() * (h.k() - 1) / 2 + "` or `same`), use a smaller kernel, or remove a pooling layer before this one";
    }
    return "use `same` padding, a smaller kernel or stride, or remove a pooling layer before this one";
  }
}
