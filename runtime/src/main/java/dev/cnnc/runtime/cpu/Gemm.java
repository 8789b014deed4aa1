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
 * </ul>
 */
public final class Gemm {
  /** The strategy behind the static calls; chosen once, so the JIT sees one implementation. */
  public interface Impl {
    void mm(int m, int n, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int ldb,
        float[] c, int cOff, int ldc, boolean accumulate);

    void mmt(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
        float[] c, int cOff, int ldc, boolean accumulate);
  }

  private static final Impl IMPL = choose();

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
    IMPL.mm(m, n, k, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, accumulate);
  }

  /** C (+)= A · Bᵀ with A(i, p) = a[aOff + i·lda + p], B(j, p) = b[bOff + j·ldb + p]. */
  public static void mmt(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    IMPL.mmt(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
  }
}
