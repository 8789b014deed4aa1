// Both GEMM strategies against a plain triple loop, over shapes that hit every tile and tail.
package dev.cnnc.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GemmTest {
  private static final List<Gemm.Impl> IMPLS = List.of(new ScalarGemm(), new VectorGemm());
  /** (m, n, k): tiles of 4 rows × 3 vectors, single vectors, column tails and row tails. */
  private static final int[][] SHAPES = {
      {1, 1, 1}, {4, 48, 7}, {5, 49, 3}, {3, 17, 30}, {7, 100, 33}, {16, 1024, 27}, {32, 256, 144},
      {13, 97, 1}, {4, 16, 0}, {9, 31, 65}, {64, 10, 512}};

  @Test
  void productsMatchTheTripleLoop() {
    SplittableRandom r = new SplittableRandom(1);
    for (Gemm.Impl g : IMPLS) {
      for (int[] s : SHAPES) {
        for (boolean accumulate : new boolean[] {false, true}) {
          for (boolean transposedA : new boolean[] {false, true}) {
            check(g, s[0], s[1], s[2], accumulate, transposedA, r);
          }
          checkTransposedB(g, s[0], s[1], s[2], accumulate, r);
        }
      }
    }
  }

  /** C (+)= A · B with A stored m × k (or k × m, read transposed), inside larger arrays at offsets. */
  private static void check(Gemm.Impl g, int m, int n, int k, boolean acc, boolean transposedA, SplittableRandom r) {
    int lda = transposedA ? m + 2 : k + 3, ldb = n + 5, ldc = n + 1;
    float[] a = random((transposedA ? k : m) * lda + 7, r);
    float[] b = random(k * ldb + 4, r);
    float[] c = random(m * ldc + 9, r);
    float[] expected = c.clone();
    int aRow = transposedA ? 1 : lda, aCol = transposedA ? lda : 1;
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) s += (double) a[7 + i * aRow + p * aCol] * b[4 + p * ldb + j];
        expected[9 + i * ldc + j] = (float) ((acc ? expected[9 + i * ldc + j] : 0) + s);
      }
    g.mm(m, n, k, a, 7, aRow, aCol, b, 4, ldb, c, 9, ldc, acc);
    assertClose(expected, c, g + " mm " + m + "×" + n + "×" + k + (transposedA ? " Aᵀ" : "") + (acc ? " +=" : ""));
  }

  private static void checkTransposedB(Gemm.Impl g, int m, int n, int k, boolean acc, SplittableRandom r) {
    int lda = k + 2, ldb = k + 3, ldc = n + 4;
    float[] a = random(m * lda + 1, r);
    float[] b = random(n * ldb + 2, r);
    float[] c = random(m * ldc + 3, r);
    float[] expected = c.clone();
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) s += (double) a[1 + i * lda + p] * b[2 + j * ldb + p];
        expected[3 + i * ldc + j] = (float) ((acc ? expected[3 + i * ldc + j] : 0) + s);
      }
    g.mmt(m, n, k, a, 1, lda, b, 2, ldb, c, 3, ldc, acc);
    assertClose(expected, c, g + " mmt " + m + "×" + n + "×" + k + (acc ? " +=" : ""));
  }

  private static void assertClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      float tol = 1e-4f * Math.max(1, Math.abs(expected[i]));
      assertTrue(Math.abs(expected[i] - actual[i]) <= tol,
          what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
    }
  }

  private static float[] random(int size, SplittableRandom r) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
    return x;
  }

  @Test
  void theVectorStrategyIsChosenWhenTheModuleIsPresent() {
    assertTrue(Gemm.strategy().startsWith("vector"), "surefire runs with --add-modules jdk.incubator.vector; got " + Gemm.strategy());
  }
}
