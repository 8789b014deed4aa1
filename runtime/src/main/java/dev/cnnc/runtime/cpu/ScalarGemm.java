// The portable products: axpy and dot loops that C2 vectorizes where it can. Used when the JVM
// runs without jdk.incubator.vector (and by tests as a second opinion).
package dev.cnnc.runtime.cpu;

final class ScalarGemm implements Gemm.Impl {
  @Override
  public void mm(int m, int n, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int[] rows,
      float[] c, int cOff, int ldc, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * ldc;
      if (!accumulate) java.util.Arrays.fill(c, ci, ci + n, 0f);
      for (int p = 0; p < k; p++) {
        float av = a[aOff + i * aRow + p * aCol];
        int bp = bOff + rows[p];
        for (int j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
      }
    }
  }

  @Override
  public void mmPacked(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, int[] rows, float[] c, int cOff,
      int ldc, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * ldc;
      if (!accumulate) java.util.Arrays.fill(c, ci, ci + n, 0f);
      for (int p = 0; p < k; p++) {
        float av = a[Gemm.packedIndex(i, p, m, k, aOff)];
        int bp = bOff + rows[p];
        for (int j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
      }
    }
  }

  @Override
  public void mmt(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int[] rows,
      float[] c, int cOff, int ldc, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int ai = aOff + i * lda;
      for (int j = 0; j < n; j++) {
        int bj = bOff + rows[j];
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int p = 0;
        for (; p + 3 < k; p += 4) {
          s0 += a[ai + p] * b[bj + p];
          s1 += a[ai + p + 1] * b[bj + p + 1];
          s2 += a[ai + p + 2] * b[bj + p + 2];
          s3 += a[ai + p + 3] * b[bj + p + 3];
        }
        for (; p < k; p++) s0 += a[ai + p] * b[bj + p];
        float s = (s0 + s1) + (s2 + s3);
        int at = cOff + i * ldc + j;
        c[at] = accumulate ? c[at] + s : s;
      }
    }
  }

  @Override
  public void mmRowsA(int m, int n, int k, float[] a, int aOff, int[] aRows, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * ldc;
      int ai = aOff + aRows[i];
      if (!accumulate) java.util.Arrays.fill(c, ci, ci + n, 0f);
      for (int p = 0; p < k; p++) {
        float av = a[ai + p];
        int bp = bOff + p * ldb;
        for (int j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
      }
    }
  }

  @Override
  public String toString() {
    return "scalar";
  }
}
