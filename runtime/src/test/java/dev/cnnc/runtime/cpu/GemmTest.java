// Both GEMM strategies against a plain triple loop, over shapes that hit every tile and tail.
package dev.cnnc.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GemmTest {
  private static final List<Gemm.Impl> IMPLS = List.of(new ScalarGemm(), new VectorGemm());
  /**
   * (m, n, k): tiles of 8 or 12 rows × 3, 2 or 1 vectors, 4-row and 1-row tails, column tails (on
   * AVX-512, 16-float vectors; on narrower machines the same shapes cover more tiles); k past
   * 2·{@link VectorGemm#BLOCK_K} runs in blocks: mm's own tiles 3 blocks for 9 × 40 × 257 and
   * 20 × 100 × 300; the packed products (mmPacked directly, and mm for 17 × 300 × 600 and
   * 16 × 260 × 1300) 1, 1, 3 and 6 blocks of at most {@link VectorGemm#PACKED_BLOCK_K}; from
   * {@link VectorGemm#BAND_PANELS} 8-row panels with rows far apart, B's bands are copied first
   * (tested on its own below; here 128 × 40 × 512 and 136 × 70 × 1100 read B in place).
   */
  private static final int[][] SHAPES = {
      {1, 1, 1}, {4, 48, 7}, {5, 49, 3}, {3, 17, 30}, {7, 100, 33}, {16, 1024, 27}, {32, 256, 144},
      {13, 97, 1}, {4, 16, 0}, {9, 31, 65}, {64, 10, 512}, {24, 80, 40}, {29, 81, 9}, {40, 33, 21},
      {144, 16, 70}, {90, 40, 13}, {9, 40, 257}, {20, 100, 300}, {17, 300, 600}, {16, 260, 1300},
      {128, 40, 512}, {136, 70, 1100}};

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
          checkRowTableA(g, s[0], s[1], s[2], accumulate, r);
          checkPacked(g, s[0], s[1], s[2], accumulate, r);
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
    int[] rows = new int[k];
    for (int p = 0; p < k; p++) rows[p] = p * ldb;
    g.mm(m, n, k, a, 7, aRow, aCol, b, 4, rows, c, 9, ldc, acc);
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
    int[] rows = new int[n];
    for (int j = 0; j < n; j++) rows[j] = j * ldb;
    g.mmt(m, n, k, a, 1, lda, b, 2, rows, c, 3, ldc, acc);
    assertClose(expected, c, g + " mmt " + m + "×" + n + "×" + k + (acc ? " +=" : ""));
  }

  /** C (+)= A · B with A's rows anywhere in a (a conv's shifted views, which overlap). */
  private static void checkRowTableA(Gemm.Impl g, int m, int n, int k, boolean acc, SplittableRandom r) {
    int ldb = n + 3, ldc = n + 2, span = 3 * k + 50;
    float[] a = random(span + k + 5, r);
    int[] aRows = new int[m];
    for (int i = 0; i < m; i++) aRows[i] = r.nextInt(span);
    float[] b = random(k * ldb + 6, r);
    float[] c = random(m * ldc + 1, r);
    float[] expected = c.clone();
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) s += (double) a[5 + aRows[i] + p] * b[6 + p * ldb + j];
        expected[1 + i * ldc + j] = (float) ((acc ? expected[1 + i * ldc + j] : 0) + s);
      }
    g.mmRowsA(m, n, k, a, 5, aRows, b, 6, ldb, c, 1, ldc, acc);
    assertClose(expected, c, g + " mmRowsA " + m + "×" + n + "×" + k + (acc ? " +=" : ""));
  }

  /**
   * The weight-gradient product's tables (runs of three consecutive rows: a 3-wide stride-1 kernel's
   * taps) with two zero rows after B's last take VectorGemm's sliding-window kernels: checked
   * against the triple loop over every tile and tail, and bit for bit against the general kernels
   * (the same table with each run reversed, which is no longer a run). Without the zero rows the
   * general kernels run, and must ignore whatever follows B.
   */
  @Test
  void threeTapRunsMatchTheTripleLoopAndTheGeneralKernelsBitForBit() {
    SplittableRandom r = new SplittableRandom(2);
    int[][] shapes = {{144, 16, 1088}, {288, 32, 288}, {576, 64, 80}, {27, 16, 2}, {3, 16, 1}, {9, 48, 5},
        {21, 50, 17}, {57, 33, 40}, {6, 15, 9}, {18, 17, 3}};
    for (int[] s : shapes) {
      int m = s[0], n = s[1], k = s[2];
      int[] runs = Shifts.of(m / 3, 4, k + 2, 1, 3, 1, 1);
      assertTrue(VectorGemm.inThreeTapRuns(runs, m), "a 1×3 kernel's table is three-tap runs");
      int[] reversed = new int[m];
      for (int i = 0; i < m; i++) reversed[i] = runs[mirrored(i)];
      assertTrue(m < 3 || !VectorGemm.inThreeTapRuns(reversed, m));
      int ldb = n + 1, ldc = n + 2;
      float[] a = random(runs[m - 1] + k + 4, r), b = random((k + 2) * ldb + 3, r);
      float[] padded = b.clone();
      java.util.Arrays.fill(padded, 3 + k * ldb, padded.length, 0f);
      assertEquals(n >= VectorGemm.L, VectorGemm.slides(m, n, k, runs, padded, 3, ldb), "the sliding kernels take it");
      assertTrue(!VectorGemm.slides(m, n, k, runs, b, 3, ldb), "without zero rows after B the general kernels take it");
      for (boolean acc : new boolean[] {false, true}) {
        float[] c = random(m * ldc, r), cReversed = mirroredRows(c, m, ldc);
        float[] expected = tableProduct(m, n, k, a, 4, runs, b, 3, ldb, c, ldc, acc);
        for (Gemm.Impl g : IMPLS) {
          for (float[] bb : List.of(padded, b)) {
            float[] got = c.clone();
            g.mmRowsA(m, n, k, a, 4, runs, bb, 3, ldb, got, 0, ldc, acc);
            assertClose(expected, got, g + " mmRowsA, three-tap runs " + m + "×" + n + "×" + k + (acc ? " +=" : "")
                + (bb == padded ? ", zero rows after B" : ""));
          }
        }
        float[] sliding = c.clone();
        new VectorGemm().mmRowsA(m, n, k, a, 4, runs, padded, 3, ldb, sliding, 0, ldc, acc);
        new VectorGemm().mmRowsA(m, n, k, a, 4, reversed, padded, 3, ldb, cReversed, 0, ldc, acc);
        assertSameBitsMirrored(cReversed, sliding, m, n, k, ldc);
      }
    }
  }

  /**
   * A stride-2 conv's phase-plane tables (runs (r, s, r + 1): taps kw = 0 and 2 one apart in a
   * plane, kw = 1 in the other) take VectorGemm's phase-run kernels: checked against the triple loop
   * over every tile and tail, and bit for bit against the general kernels (each run reversed, which
   * is no longer a phase run). The phase-run kernels read nothing past A's rows or B's k rows: A and
   * B end exactly there.
   */
  @Test
  void phaseRunsMatchTheTripleLoopAndTheGeneralKernelsBitForBit() {
    SplittableRandom r = new SplittableRandom(3);
    int[][] shapes = {{144, 32, 272}, {288, 64, 72}, {144, 16, 272}, {27, 16, 2}, {3, 16, 1}, {9, 48, 5},
        {21, 50, 17}, {57, 33, 40}, {6, 15, 9}, {54, 17, 3}};
    for (int[] s : shapes) {
      int m = s[0], n = s[1], k = s[2];
      // channels × 3 × 3 over 2 × 2 phase planes of (k + 2) × (k + 2), then any whole runs left
      int[] runs = new int[m];
      int[] phased = Shifts.phased(m / 9 + 1, 2, 2, k + 2, k + 2, 3, 3, 1, 1);
      for (int i = 0; i < m; i++) runs[i] = i < m / 9 * 9 ? phased[i] : phased[i % 9] + r.nextInt(40);
      for (int i = m / 9 * 9; i < m; i += 3) runs[i + 2] = runs[i] + 1;
      assertTrue(VectorGemm.inPhaseRuns(runs, m), "a stride-2 3-wide kernel's table is phase runs");
      assertTrue(!VectorGemm.inThreeTapRuns(runs, m), "and not three-tap runs");
      int[] reversed = new int[m];
      for (int i = 0; i < m; i++) reversed[i] = runs[mirrored(i)];
      assertTrue(!VectorGemm.inPhaseRuns(reversed, m) && !VectorGemm.inThreeTapRuns(reversed, m));
      int ldb = n + 1, ldc = n + 2;
      int aEnd = 0;
      for (int row : runs) aEnd = Math.max(aEnd, row + k);
      float[] a = random(4 + aEnd, r), b = random(3 + (k - 1) * ldb + n, r);
      for (boolean acc : new boolean[] {false, true}) {
        float[] c = random(m * ldc, r), cReversed = mirroredRows(c, m, ldc);
        float[] expected = tableProduct(m, n, k, a, 4, runs, b, 3, ldb, c, ldc, acc);
        for (Gemm.Impl g : IMPLS) {
          float[] got = c.clone();
          g.mmRowsA(m, n, k, a, 4, runs, b, 3, ldb, got, 0, ldc, acc);
          assertClose(expected, got, g + " mmRowsA, phase runs " + m + "×" + n + "×" + k + (acc ? " +=" : ""));
        }
        float[] phasedC = c.clone();
        new VectorGemm().mmRowsA(m, n, k, a, 4, runs, b, 3, ldb, phasedC, 0, ldc, acc);
        new VectorGemm().mmRowsA(m, n, k, a, 4, reversed, b, 3, ldb, cReversed, 0, ldc, acc);
        assertSameBitsMirrored(cReversed, phasedC, m, n, k, ldc);
      }
    }
  }

  /** C's rows placed as the reversed runs put them. */
  private static float[] mirroredRows(float[] c, int m, int ldc) {
    float[] out = new float[c.length];
    for (int i = 0; i < m; i++) System.arraycopy(c, i * ldc, out, mirrored(i) * ldc, ldc);
    return out;
  }

  /** C (+)= A · B in double, A's row i at a[aOff + rows[i]], B(p, j) at b[bOff + p·ldb + j]. */
  private static float[] tableProduct(int m, int n, int k, float[] a, int aOff, int[] rows, float[] b, int bOff, int ldb,
      float[] c, int ldc, boolean acc) {
    float[] expected = c.clone();
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) sum += (double) a[aOff + rows[i] + p] * b[bOff + p * ldb + j];
        expected[i * ldc + j] = (float) ((acc ? expected[i * ldc + j] : 0) + sum);
      }
    }
    return expected;
  }

  /** The run kernels' C against the general kernels' on the reversed runs: the same bits, but for the sign of a zero. */
  private static void assertSameBitsMirrored(float[] reversed, float[] got, int m, int n, int k, int ldc) {
    for (int i = 0; i < m; i++) {
      int from = mirrored(i) * ldc;
      for (int j = 0; j < n; j++) {
        float want = reversed[from + j], have = got[i * ldc + j];
        if (want == 0f && have == 0f) continue;
        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(have), "row " + i + ", column " + j + " of " + m + "×" + n + "×" + k);
      }
    }
  }

  /** Row i's place once each run of three is reversed: 0 ↔ 2, 1 stays. */
  private static int mirrored(int i) {
    return i - i % 3 + 2 - i % 3;
  }

  /** A stored transposed (a column of A contiguous) packs to the same layout, every element in its place. */
  @Test
  void packReadsATransposedMatrixIntoTheSameLayout() {
    SplittableRandom r = new SplittableRandom(8);
    for (int m : new int[] {1, 7, 8, 13, 16, 35}) {
      for (int k : new int[] {1, 5, 64}) {
        int lda = m + 3;
        float[] a = random(k * lda + 2, r);
        float[] packed = random(m * k + 11, r), before = packed.clone();
        Gemm.pack(m, k, a, 2, 1, lda, packed, 11);
        for (int i = 0; i < m; i++)
          for (int p = 0; p < k; p++) {
            assertEquals(a[2 + p * lda + i], packed[Gemm.packedIndex(i, p, m, k, 11)], m + "×" + k + " at " + i + ", " + p);
          }
        for (int q = 0; q < 11; q++) assertEquals(before[q], packed[q], "wrote before pOff");
      }
    }
  }

  /**
   * Copying B's bands (from {@link VectorGemm#BAND_PANELS} panels on) changes no bit: each panel
   * sums the same products in the same order as the same panel of a product too short to copy.
   */
  @Test
  void copiedBandsGiveTheSameBitsAsBIsReadInPlace() {
    SplittableRandom r = new SplittableRandom(10);
    int m = 8 * VectorGemm.BAND_PANELS, n = 2 * VectorGemm.L + 5, k = VectorGemm.BAND_ROWS * 2 + 37;
    int[] rows = new int[k];
    for (int p = 0; p < k; p++) rows[p] = p * 300 + r.nextInt(200); // rows far apart, as in a grouped conv
    float[] b = random(k * 300 + n, r), a = random(m * k, r), packed = new float[m * k], one = new float[8 * k];
    Gemm.pack(m, k, a, 0, k, 1, packed, 0);
    Gemm.pack(8, k, a, 0, k, 1, one, 0);
    float[] banded = new float[m * n], inPlace = new float[8 * n];
    for (boolean acc : new boolean[] {false, true}) {
      new VectorGemm().mmPacked(m, n, k, packed, 0, b, 0, rows, banded, 0, n, acc);
      new VectorGemm().mmPacked(8, n, k, one, 0, b, 0, rows, inPlace, 0, n, acc);
      assertArrayEquals(inPlace, java.util.Arrays.copyOf(banded, 8 * n), "acc " + acc);
    }
    float[] expected = new float[m * n];
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) sum += (double) a[i * k + p] * b[rows[p] + j];
        expected[i * n + j] = (float) (2 * sum); // the product, then added to itself
      }
    assertClose(expected, banded, "banded mmPacked " + m + "×" + n + "×" + k);
    // rows near each other (a small padded plane's shifts) are read in place: the same bits as 8 rows
    for (int p = 0; p < k; p++) rows[p] = p / 9 * 100 + p % 9;
    new VectorGemm().mmPacked(m, n, k, packed, 0, b, 0, rows, banded, 0, n, false);
    new VectorGemm().mmPacked(8, n, k, one, 0, b, 0, rows, inPlace, 0, n, false);
    assertArrayEquals(inPlace, java.util.Arrays.copyOf(banded, 8 * n));
    assertTrue(VectorGemm.farApart(Shifts.spaced(k, 192), 0, k) && !VectorGemm.farApart(rows, 0, k));
  }

  /** Packing A a block of columns at a time gives pack's layout, and mmPacked over it mm's product. */
  @Test
  void packColumnsBlockByBlockIsPackAndMmPackedIsMm() {
    SplittableRandom r = new SplittableRandom(9);
    for (int m : new int[] {3, 8, 20}) {
      int blocks = 5, width = 7, k = blocks * width, n = 40;
      float[] src = random(blocks * m * width + 4, r); // block q: m rows of `width` columns, row-major
      float[] a = new float[m * k]; // A (m × k) row-major: block q holds columns [q·width, (q + 1)·width)
      for (int q = 0; q < blocks; q++)
        for (int i = 0; i < m; i++) System.arraycopy(src, 4 + q * m * width + i * width, a, i * k + q * width, width);
      float[] whole = new float[m * k + 3], byBlocks = random(m * k + 3, r);
      Gemm.pack(m, k, a, 0, k, 1, whole, 3);
      for (int q = 0; q < blocks; q++) Gemm.packColumns(m, k, q * width, width, src, 4 + q * m * width, width, byBlocks, 3);
      for (int i = 3; i < whole.length; i++) assertEquals(whole[i], byBlocks[i], m + " rows: float " + i);
      float[] b = random(k * (n + 2), r), want = new float[m * n], have = new float[m * n];
      Gemm.mm(m, n, k, a, 0, k, 1, b, 0, n + 2, want, 0, n, false);
      Gemm.mmPacked(m, n, k, byBlocks, 3, b, 0, n + 2, have, 0, n, false);
      assertClose(want, have, "mmPacked " + m + "×" + n + "×" + k);
    }
    assertThrows(IndexOutOfBoundsException.class,
        () -> Gemm.packColumns(8, 10, 6, 5, new float[64], 0, 5, new float[80], 0), "columns past k");
  }

  /** C (+)= A · B with A packed by Gemm.pack (panels of 8 rows, then the tail) and B's rows through a table. */
  private static void checkPacked(Gemm.Impl g, int m, int n, int k, boolean acc, SplittableRandom r) {
    int lda = k + 3, ldc = n + 2, span = 2 * k + 40;
    float[] a = random(m * lda + 2, r);
    int[] rows = new int[k];
    for (int p = 0; p < k; p++) rows[p] = r.nextInt(span);
    float[] b = random(span + n + 3, r);
    float[] c = random(m * ldc + 5, r);
    float[] packed = random(m * k + 11, r);
    Gemm.pack(m, k, a, 2, lda, 1, packed, 11);
    for (int i = 0; i < m; i++)
      for (int p = 0; p < k; p++) assertEquals(a[2 + i * lda + p], packed[Gemm.packedIndex(i, p, m, k, 11)]);
    float[] expected = c.clone();
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) s += (double) a[2 + i * lda + p] * b[3 + rows[p] + j];
        expected[5 + i * ldc + j] = (float) ((acc ? expected[5 + i * ldc + j] : 0) + s);
      }
    g.mmPacked(m, n, k, packed, 11, b, 3, rows, c, 5, ldc, acc);
    assertClose(expected, c, g + " mmPacked " + m + "×" + n + "×" + k + (acc ? " +=" : ""));
  }

  /**
   * Every entry point checks its ranges before a kernel runs (./cnnc turns the Vector API's own
   * per-load checks off): a call that would read or write past an array throws and writes nothing.
   */
  @Test
  void callsThatWouldLeaveTheirArraysThrowBeforeTouchingThem() {
    float[] a = new float[16 * 8], b = new float[8 * 48], c = new float[16 * 48], packed = new float[16 * 8];
    int[] rows = Shifts.spaced(8, 48);
    int[] far = rows.clone();
    far[5] = 48 * 8; // one row past the end of b
    float[] before = c.clone();
    List<Runnable> bad = List.of(
        () -> Gemm.mm(16, 48, 8, a, 0, 8, 1, b, 1, 48, c, 0, 48, false),
        () -> Gemm.mm(16, 48, 8, a, 0, 8, 1, b, 0, 48, c, 1, 48, false),
        () -> Gemm.mmRows(16, 48, 8, a, 0, 8, 1, b, 0, far, c, 0, 48, false),
        () -> Gemm.mmRowsPacked(16, 48, 8, packed, 0, b, 0, far, c, 0, 48, true),
        () -> Gemm.mmRowsPacked(16, 48, 8, packed, 1, b, 0, rows, c, 0, 48, true),
        () -> Gemm.mmRowsPacked(17, 48, 8, packed, 0, b, 0, rows, c, 0, 48, true),
        () -> Gemm.mmt(16, 48, 8, a, 0, 8, b, 0, 9, c, 0, 48, true),
        () -> Gemm.mmRowsA(8, 48, 8, b, 0, Shifts.spaced(8, 48), a, 0, 48, c, 0, 48, true),
        () -> Gemm.mmRowsA(16, 48, 8, a, 0, new int[] {0, 1, 2}, b, 0, 48, c, 0, 48, true),
        () -> Sums.sum(a, 0, a.length + 1),
        () -> Sums.reluGradientSums(c, a, c, 0, c.length, 0f, new float[2], 0),
        () -> Sums.gradientSums(c, c, 0, c.length, 0f, new float[2], 1));
    for (int i = 0; i < bad.size(); i++) {
      Runnable call = bad.get(i);
      try {
        call.run();
        throw new AssertionError("call " + i + " should have thrown");
      } catch (IndexOutOfBoundsException expected) {
        assertTrue(java.util.Arrays.equals(before, c), "call " + i + " wrote before throwing");
      }
    }
    Gemm.mmRowsPacked(16, 48, 8, packed, 0, b, 0, rows, c, 0, 48, false); // and the same call in range runs
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

  /** Rows in any order and spacing (as a conv's shifted views are): both products read the table. */
  @Test
  void unevenlySpacedRowsAreReadThroughTheTable() {
    SplittableRandom r = new SplittableRandom(5);
    int m = 9, n = 53, k = 19;
    float[] a = random(m * k, r);
    float[] b = random(4000, r);
    int[] rows = new int[Math.max(k, n)];
    for (int p = 0; p < rows.length; p++) rows[p] = r.nextInt(4000 - Math.max(n, k));
    for (Gemm.Impl g : IMPLS) {
      float[] c = new float[m * n];
      g.mm(m, n, k, a, 0, k, 1, b, 0, rows, c, 0, n, false);
      float[] expected = new float[m * n];
      for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
          for (int p = 0; p < k; p++) expected[i * n + j] += a[i * k + p] * b[rows[p] + j];
      assertClose(expected, c, g + " mm with a row table");
      float[] ct = new float[m * n];
      g.mmt(m, n, k, a, 0, k, b, 0, rows, ct, 0, n, false);
      float[] expectedT = new float[m * n];
      for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
          for (int p = 0; p < k; p++) expectedT[i * n + j] += a[i * k + p] * b[rows[j] + p];
      assertClose(expectedT, ct, g + " mmt with a row table");
    }
  }

  @Test
  void theFacadesEvenSpacingFollowsEachCall() {
    float[] a = {1, 2};
    float[] b = {10, 0, 20, 30, 0, 40};
    float[] c = new float[1];
    Gemm.mm(1, 1, 2, a, 0, 2, 1, b, 0, 2, c, 0, 1, false); // rows 0, 2: 1·10 + 2·20
    assertEquals(50f, c[0]);
    Gemm.mm(1, 1, 2, a, 0, 2, 1, b, 0, 3, c, 0, 1, false); // rows 0, 3: 1·10 + 2·30
    assertEquals(70f, c[0]);
  }

  @Test
  void theVectorStrategyIsChosenWhenTheModuleIsPresent() {
    assertTrue(Gemm.strategy().startsWith("vector"), "surefire runs with --add-modules jdk.incubator.vector; got " + Gemm.strategy());
  }
}
