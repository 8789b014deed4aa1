// Matrix products for the generated conv and fc kernels: a Vector API micro-kernel when the
// JVM has jdk.incubator.vector (about 15x faster here), else plain loops C2 can vectorize.
package dev.cnnc.runtime.cpu;

import java.util.Objects;

/**
 * Row-major single-precision products with explicit offsets and strides, so kernels can address
 * one image's slice of a batch buffer without copying:
 *
 * <ul>
 *   <li>{@link #mm}: C (m × n) (+)= A (m × k) · B (k × n), with A read through (row, column)
 *       strides, so the same call serves Aᵀ · B.
 *   <li>{@link #mmt}: C (m × n) (+)= A (m × k) · Bᵀ, B stored (n × k): dot products along rows.
 *   <li>{@link #mmRowsA}: C (+)= A · B with A's rows taken from a table of offsets.
 *   <li>{@link #mmRowsPacked}: as mmRows, with A packed once by {@link #pack} and reused.
 * </ul>
 *
 * <p>B's rows need not be evenly spaced: the {@code Rows} forms take each row's offset from a
 * table. A convolution passes the offsets of every (channel, kh, kw) shift of its padded input and
 * gets im2col's product without writing im2col's matrix.
 */
public final class Gemm {
  /** The strategy behind the static calls; chosen once, so the JIT sees one implementation. */
  public interface Impl {
    /** B's row p starts at b[bOff + rows[p]]. */
    void mm(int m, int n, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int[] rows,
        float[] c, int cOff, int ldc, boolean accumulate);

    /** B's row j (a row of Bᵀ's column) starts at b[bOff + rows[j]]. */
    void mmt(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int[] rows,
        float[] c, int cOff, int ldc, boolean accumulate);

    /** As mm, with A in {@link Gemm#pack}'s layout from a[aOff]. */
    void mmPacked(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, int[] rows, float[] c, int cOff, int ldc,
        boolean accumulate);

    /** A's row i starts at a[aOff + aRows[i]] (its columns contiguous); B is row-major with leading dimension ldb. */
    void mmRowsA(int m, int n, int k, float[] a, int aOff, int[] aRows, float[] b, int bOff, int ldb,
        float[] c, int cOff, int ldc, boolean accumulate);
  }

  private static final Impl IMPL = choose();
  /** Each thread's table of evenly spaced row offsets, refilled when a call needs other spacing. */
  private static final ThreadLocal<Spaced> SPACED = ThreadLocal.withInitial(Spaced::new);

  /** rows[p] = p · ld for p below {@code filled}. */
  private static final class Spaced {
    int[] rows = new int[64];
    int ld = -1;
    int filled;
  }

  private Gemm() {}

  private static Impl choose() {
    if (!"scalar".equals(System.getProperty("cnnc.gemm")) && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      try {
        return (Impl) Class.forName("dev.cnnc.runtime.cpu.VectorGemm").getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException | LinkageError e) {
        // fall through to the portable loops
      }
    }
    return new ScalarGemm();
  }

  /** "vector (16 floats)" or "scalar", for benchmarks and bug reports. */
  public static String strategy() {
    return IMPL.toString();
  }

  /** C (+)= A · B with A(i, p) = a[aOff + i·aRow + p·aCol], B(p, j) = b[bOff + p·ldb + j]. */
  public static void mm(int m, int n, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    if (m <= 0 || n <= 0 || k <= 0) return;
    checkRows(b, bOff, 0, (long) (k - 1) * ldb, n);
    checkRows(c, cOff, 0, (long) (m - 1) * ldc, n);
    IMPL.mm(m, n, k, a, aOff, aRow, aCol, b, bOff, spaced(k, ldb), c, cOff, ldc, accumulate);
  }

  /** As {@link #mm}, with B's row p at b[bOff + rows[p]]. */
  public static void mmRows(int m, int n, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff,
      int[] rows, float[] c, int cOff, int ldc, boolean accumulate) {
    if (m <= 0 || n <= 0 || k <= 0) return;
    checkTable(b, bOff, rows, k, n);
    checkRows(c, cOff, 0, (long) (m - 1) * ldc, n);
    IMPL.mm(m, n, k, a, aOff, aRow, aCol, b, bOff, rows, c, cOff, ldc, accumulate);
  }

  /**
   * Writes A (m × k, A(i, p) = a[aOff + i·aRow + p·aCol]) into {@code packed} from {@code pOff} in
   * the layout {@link #mmRowsPacked} reads: m·k floats, rows below 8·⌊m/8⌋ in 8-row panels stored
   * p-major (the micro-kernel broadcasts them from one contiguous stream; read through eight row
   * pointers k apart the same tile ran about 30% slower here), the last m mod 8 rows row-major.
   * A conv packs its weights once per launch and reuses them for every image.
   */
  public static void pack(int m, int k, float[] a, int aOff, int aRow, int aCol, float[] packed, int pOff) {
    if (aRow == 1 && aCol != 1) {
      // A stored transposed (a column of A contiguous, e.g. dyᵀ in a weight gradient): read it in
      // storage order, each column once, eight floats to each panel. Row by row, as below, every
      // element was a different cache line of a matrix larger than L2 (VGG-11's and Airbench's
      // weight-gradient products, 2–3 MB a call).
      for (int p = 0; p < k; p++) {
        for (int i = 0; i < m; i++) packed[packedIndex(i, p, m, k, pOff)] = a[aOff + p * aCol + i];
      }
      return;
    }
    int full = m / 8 * 8;
    for (int i = 0; i < m; i++) {
      int from = aOff + i * aRow;
      if (i < full) {
        int to = pOff + i / 8 * 8 * k + i % 8;
        for (int p = 0; p < k; p++) packed[to + 8 * p] = a[from + p * aCol];
      } else {
        int to = pOff + full * k + (i - full) * k;
        for (int p = 0; p < k; p++) packed[to + p] = a[from + p * aCol];
      }
    }
  }

  /**
   * Writes columns [p0, p0 + count) of an m × k matrix A into {@code packed} (from {@code pOff}, in
   * {@link #pack}'s layout) from a row-major block: A(i, p0 + j) = src[srcOff + i·ld + j]. Chunks
   * that each own some of A's columns (a conv's dyᵀ, one image's pixels each) pack it together,
   * once, for products that share it.
   */
  public static void packColumns(int m, int k, int p0, int count, float[] src, int srcOff, int ld, float[] packed,
      int pOff) {
    if (m <= 0 || count <= 0) return;
    if (p0 < 0 || p0 + count > k) throw new IndexOutOfBoundsException("columns [" + p0 + ", " + (p0 + count) + ") of " + k);
    checkRows(src, srcOff, 0, (long) (m - 1) * ld, count);
    Objects.checkFromIndexSize(pOff, m * k, packed.length);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < count; j++) packed[packedIndex(i, p0 + j, m, k, pOff)] = src[srcOff + i * ld + j];
    }
  }

  /** C (+)= A · B with A packed by {@link #pack} (or {@link #packColumns}) and B(p, j) = b[bOff + p·ldb + j]. */
  public static void mmPacked(int m, int n, int k, float[] packed, int pOff, float[] b, int bOff, int ldb, float[] c,
      int cOff, int ldc, boolean accumulate) {
    if (m <= 0 || n <= 0 || k <= 0) return;
    Objects.checkFromIndexSize(pOff, m * k, packed.length);
    checkRows(b, bOff, 0, (long) (k - 1) * ldb, n);
    checkRows(c, cOff, 0, (long) (m - 1) * ldc, n);
    IMPL.mmPacked(m, n, k, packed, pOff, b, bOff, spaced(k, ldb), c, cOff, ldc, accumulate);
  }

  /** Where {@link #pack} put A(i, p). */
  static int packedIndex(int i, int p, int m, int k, int pOff) {
    int full = m / 8 * 8;
    return i < full ? pOff + i / 8 * 8 * k + 8 * p + i % 8 : pOff + full * k + (i - full) * k + p;
  }

  /** As {@link #mmRows}, with A packed by {@link #pack} from {@code packed[pOff]}. */
  public static void mmRowsPacked(int m, int n, int k, float[] packed, int pOff, float[] b, int bOff, int[] rows,
      float[] c, int cOff, int ldc, boolean accumulate) {
    if (m <= 0 || n <= 0 || k <= 0) return;
    Objects.checkFromIndexSize(pOff, m * k, packed.length);
    checkTable(b, bOff, rows, k, n);
    checkRows(c, cOff, 0, (long) (m - 1) * ldc, n);
    IMPL.mmPacked(m, n, k, packed, pOff, b, bOff, rows, c, cOff, ldc, accumulate);
  }

  /** C (+)= A · Bᵀ with A(i, p) = a[aOff + i·lda + p], B(j, p) = b[bOff + j·ldb + p]. */
  public static void mmt(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    if (m <= 0 || n <= 0 || k <= 0) return;
    checkRows(a, aOff, 0, (long) (m - 1) * lda, k);
    checkRows(b, bOff, 0, (long) (n - 1) * ldb, k);
    checkRows(c, cOff, 0, (long) (m - 1) * ldc, n);
    IMPL.mmt(m, n, k, a, aOff, lda, b, bOff, spaced(n, ldb), c, cOff, ldc, accumulate);
  }

  /**
   * C (+)= A · B with A's row i at a[aOff + aRows[i]] and B(p, j) = b[bOff + p·ldb + j]. A conv's
   * weight gradient in transposed form: dwᵀ (K, CO) = (the shifted views of the padded image) (K, P) ·
   * dyᵀ (P, CO), a product with no horizontal sums whatever the number of pixels. When the table
   * comes in runs of three consecutive offsets (a 3-wide stride-1 kernel's taps) and b holds two
   * more rows after B's last, both zero, the Vector API kernels slide B along A's rows and load a
   * third as much (see VectorGemm.slidingRowsA); the generated convs leave those two rows zero.
   */
  public static void mmRowsA(int m, int n, int k, float[] a, int aOff, int[] aRows, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    if (m <= 0 || n <= 0 || k <= 0) return;
    checkTable(a, aOff, aRows, m, k);
    checkRows(b, bOff, 0, (long) (k - 1) * ldb, n);
    checkRows(c, cOff, 0, (long) (m - 1) * ldc, n);
    IMPL.mmRowsA(m, n, k, a, aOff, aRows, b, bOff, ldb, c, cOff, ldc, accumulate);
  }

  /**
   * Rows of {@code length} floats starting from off + first to off + last lie inside {@code array}.
   * The micro-kernels only read and write inside the ranges checked here, which is what makes it
   * safe to run them with the Vector API's per-load checks off
   * ({@code -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0}, as ./cnnc does): with a row table,
   * a load's index depends on data, so C2 cannot hoist that check out of the loop, and on ResNet's
   * shapes the checked kernels ran 30–40% slower.
   */
  private static void checkRows(float[] array, int off, long first, long last, int length) {
    long lo = off + first, hi = off + last + length;
    if (lo < 0 || hi > array.length || first > last) {
      throw new IndexOutOfBoundsException("rows [" + lo + ", " + hi + ") of an array of " + array.length);
    }
  }

  /** Rows off + rows[0..count) of {@code length} floats lie inside {@code array}. */
  private static void checkTable(float[] array, int off, int[] rows, int count, int length) {
    Objects.checkFromIndexSize(0, count, rows.length);
    int min = rows[0], max = rows[0];
    for (int i = 1; i < count; i++) {
      min = Math.min(min, rows[i]);
      max = Math.max(max, rows[i]);
    }
    checkRows(array, off, min, max, length);
  }

  /** {0, ld, 2·ld, …} for at least {@code count} rows, from this thread's reusable table. */
  private static int[] spaced(int count, int ld) {
    Spaced s = SPACED.get();
    if (s.ld != ld || s.filled < count) {
      if (s.rows.length < count) s.rows = new int[Math.max(count, 2 * s.rows.length)];
      for (int p = 0; p < count; p++) s.rows[p] = p * ld;
      s.ld = ld;
      s.filled = count;
    }
    return s.rows;
  }
}
