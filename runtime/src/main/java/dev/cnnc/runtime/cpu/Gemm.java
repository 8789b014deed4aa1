// Matrix products for the generated conv and fc kernels: a Vector API micro-kernel when the
// JVM has jdk.incubator.vector (about 15x faster here), else plain loops C2 can vectorize.
package dev.cnnc.runtime.cpu;

/**
 * Row-major single-precision products with explicit offsets and strides, so kernels can address
 * one image's slice of a batch buffer without copying:
 *
 * <ul>
 *   <li>{@link #mm}: C (m × n) (+)= A (m × k) · B (k × n), with A read through (row, column)
 *       strides, so the same call serves Aᵀ · B.
 *   <li>{@link #mmt}: C (m × n) (+)= A (m × k) · Bᵀ, B stored (n × k): dot products along rows.
 *   <li>{@link #mmRowsA}: C (+)= A · B with A's rows taken from a table of offsets.
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
    IMPL.mm(m, n, k, a, aOff, aRow, aCol, b, bOff, spaced(k, ldb), c, cOff, ldc, accumulate);
  }

  /** As {@link #mm}, with B's row p at b[bOff + rows[p]]. */
  public static void mmRows(int m, int n, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff,
      int[] rows, float[] c, int cOff, int ldc, boolean accumulate) {
    IMPL.mm(m, n, k, a, aOff, aRow, aCol, b, bOff, rows, c, cOff, ldc, accumulate);
  }

  /** C (+)= A · Bᵀ with A(i, p) = a[aOff + i·lda + p], B(j, p) = b[bOff + j·ldb + p]. */
  public static void mmt(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    IMPL.mmt(m, n, k, a, aOff, lda, b, bOff, spaced(n, ldb), c, cOff, ldc, accumulate);
  }

  /**
   * C (+)= A · B with A's row i at a[aOff + aRows[i]] and B(p, j) = b[bOff + p·ldb + j]. A conv's
   * weight gradient in transposed form: dwᵀ (K, CO) = (the shifted views of the padded image) (K, P) ·
   * dyᵀ (P, CO), a product with no horizontal sums whatever the number of pixels.
   */
  public static void mmRowsA(int m, int n, int k, float[] a, int aOff, int[] aRows, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    IMPL.mmRowsA(m, n, k, a, aOff, aRows, b, bOff, ldb, c, cOff, ldc, accumulate);
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
