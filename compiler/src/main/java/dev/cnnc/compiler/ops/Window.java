// Sliding-window arithmetic along one spatial axis, shared by conv and the pools.
package dev.cnnc.compiler.ops;

/**
 * One axis of a window: kernel {@code k}, stride {@code s}, dilation {@code d}, and padding on
 * each side. The output size is {@code floor((n + before + after − d·(k − 1) − 1) / s) + 1},
 * which is the textbook {@code floor((n + 2p − d(k−1) − 1)/s) + 1} when both sides are p.
 */
public record Window(int k, int s, int d, int padBefore, int padAfter) {

  /** Explicit symmetric padding p on both sides. */
  public static Window of(int k, int s, int d, int p) {
    return new Window(k, s, d, p, p);
  }

  /**
   * "same": out = ceil(n / s). The total padding max((out − 1)·s + d·(k − 1) + 1 − n, 0) is split
   * equally; an odd total puts the extra row at the bottom/right, as TensorFlow and PyTorch do.
   */
  public static Window same(int n, int k, int s, int d) {
    long out = ceilDiv(n, s);
    long total = Math.max((out - 1) * s + (long) d * (k - 1) + 1 - n, 0);
    int before = (int) (total / 2);
    return new Window(k, s, d, before, (int) (total - before));
  }

  /** Rows the window spans: d·(k − 1) + 1. */
  public long extent() {
    return (long) d * (k - 1) + 1;
  }

  /** The output size for input size n; may be zero or negative when the window does not fit. */
  public long out(long n) {
    return Math.floorDiv(n + padBefore + padAfter - extent(), s) + 1;
  }

  /** Input rows (not padding) at the end that no window reads: the floor in the formula drops them. */
  public long droppedRows(long n) {
    long spare = Math.floorMod(n + padBefore + padAfter - extent(), s);
    return Math.max(0, spare - padAfter);
  }

  /** Rows between two neighbouring windows that neither reads: s − extent when the stride outruns the window. */
  public long gap() {
    return Math.max(0, s - extent());
  }

  /**
   * Whether the floor in the formula drops input rows beyond the regular gap between windows. A
   * 1×1 stride-2 conv never reads odd rows, the last one included; that is its design, not a
   * loss at the edge.
   */
  public boolean dropsRows(long n) {
    return droppedRows(n) > gap();
  }

  /**
   * The first output row whose window reads no input row, only padding (or, with dilation, taps
   * that straddle a small input), or -1 when every window reads at least one. A window that starts
   * inside the input reads its first row, so only the windows starting in the padding are tried,
   * each in constant time (maps may have 10⁹ rows).
   */
  public long emptyWindow(long n) {
    long out = out(n);
    if (out < 1) return -1;
    if (padBefore >= extent()) return 0;
    long leading = Math.min(out, firstInside());
    for (long o = 0; o < leading; o++) {
      if (!readsInput(o * s - padBefore, n)) return o;
    }
    for (long o = Math.max(leading, ceilDiv(n + padBefore, s)); o < out; o++) {
      if (!readsInput(o * s - padBefore, n)) return o;
    }
    return -1;
  }

  /**
   * Whether some output row's window reads an input row. A window that reads row r starts in
   * [r − d·(k − 1), r], so only the outputs whose window starts in [−d·(k − 1), n − 1] are tried,
   * and the first that starts inside the input reads it: at most about d·k / s tries.
   */
  public boolean anyWindowReadsInput(long n) {
    long lo = Math.max(0, ceilDiv(padBefore - (extent() - 1), s));
    long hi = Math.min(out(n) - 1, Math.floorDiv(padBefore + n - 1, s));
    for (long o = lo; o <= hi; o++) {
      if (readsInput(o * s - padBefore, n)) return true;
    }
    return false;
  }

  /** The first output row whose window starts inside the input (reads no leading padding). */
  public long firstInside() {
    return ceilDiv(padBefore, s);
  }

  /**
   * One past the last output row whose window ends inside an n-row input (reads no trailing
   * padding); with {@link #firstInside}, the rows a kernel can read without bounds checks (the
   * range may be empty, and may run past the output: clip it to [0, out)).
   */
  public long endInside(long n) {
    return Math.floorDiv(n - extent() + padBefore, s) + 1;
  }

  /** Whether a window whose first tap is at row {@code start} reads a row in [0, n). */
  private boolean readsInput(long start, long n) {
    long t = start >= 0 ? 0 : ceilDiv(-start, d); // the first tap at row 0 or after
    return t < k && start + t * d < n;
  }

  public boolean symmetric() {
    return padBefore == padAfter;
  }

  /** The formula with this window's numbers filled in: "floor((32 + 2·1 − 1·(3 − 1) − 1) / 1) + 1 = 32". */
  public String arithmetic(long n) {
    String pad = symmetric() ? "2·" + padBefore : padBefore + " + " + padAfter;
    return "floor((" + n + " + " + pad + " − " + d + "·(" + k + " − 1) − 1) / " + s + ") + 1 = " + out(n);
  }

  /** A row number for messages, with a real minus sign for rows in the leading padding: "−3". */
  static String signed(long row) {
    return row < 0 ? "−" + -row : Long.toString(row);
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  /**
   * CUDA, inside a loop over tap {@code tap}: declares {@code out}, the output row (or column)
   * whose window reads input row {@code in} at that tap, or skips the tap when none does. For
   * gathers (backward kernels) that give each input one thread instead of scattering with atomics.
   */
  void cudaGather(CudaCode c, String out, String in, String tap, int outSize) {
    String origin = in + (padBefore == 0 ? "" : " + " + padBefore) + " - " + (d == 1 ? tap : tap + " * " + d);
    if (s == 1) {
      c.line("const int %s = %s;", out, origin).line("if (%s < 0 || %s >= %d) continue;", out, out, outSize);
    } else {
      c.line("const int %s_ = %s;", out, origin);
      c.line("if (%s_ < 0 || %s_ %% %d != 0 || %s_ / %d >= %d) continue;", out, out, s, out, s, outSize)
          .line("const int %s = %s_ / %d;", out, out, s);
    }
  }

  /** CUDA: the input row (column) that output row {@code out} reads at tap {@code tap}: "oh * 2 - 1 + kh". */
  String cudaTap(String out, String tap) {
    return (s == 1 ? out : out + " * " + s) + (padBefore == 0 ? "" : " - " + padBefore) + " + "
        + (d == 1 ? tap : tap + " * " + d);
  }
}
