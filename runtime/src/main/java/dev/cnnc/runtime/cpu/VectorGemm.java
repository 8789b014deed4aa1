// Register-tiled products on the Vector API: a block of C (8 rows × 2 vectors in the packed
// products the convs run) stays in registers while k runs, so each B load feeds eight FMAs.
package dev.cnnc.runtime.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

final class VectorGemm implements Gemm.Impl {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int L = S.length();

  /**
   * Plain products at least this wide pack A per call (im2col convs, the fc layers): on one core
   * SimpleCNN's first conv (16 × 1024 × 27) went from 88 to 95 GFLOP/s and a 16 × 1024 × 144 product
   * from 92 to 105. Narrower ones keep reading A in place, where packing per call cost more than it
   * saved (ResNet's 8×8 maps: up to 40% slower; the conv kernels pack once per launch instead).
   */
  private static final int PACK_COLUMNS = 256;

  private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

  /** This thread's packing buffer, of at least {@code size} floats. */
  private static float[] scratch(int size) {
    float[][] holder = SCRATCH.get();
    if (holder[0].length < size) holder[0] = new float[Math.max(size, 2 * holder[0].length)];
    return holder[0];
  }

  @Override
  public void mm(int m, int n, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int[] rows,
      float[] c, int cOff, int ldc, boolean acc) {
    if (m >= 8 && n >= PACK_COLUMNS) {
      // A packed here pays for itself over this many columns (m·k copies against m·n·k FMAs)
      float[] packed = scratch(m * k);
      Gemm.pack(m, k, a, aOff, aRow, aCol, packed, 0);
      mmPacked(m, n, k, packed, 0, b, bOff, rows, c, cOff, ldc, acc);
      return;
    }
    int j = 0, blocks = kBlocks(k, BLOCK_K);
    // B's rows come from the table: evenly spaced for a plain product, a conv's shifts for im2col.
    // Within each band of columns, k runs in blocks (see kBlocks); each tile keeps its FMA chain
    // in p order across them, so the sums are the same as in one pass
    for (; j + 3 * L <= n; j += 3 * L) {
      for (int q = 0; q < blocks; q++) {
        final int p0 = blockStart(q, k, blocks), p1 = blockStart(q + 1, k, blocks);
        final boolean add = acc || q > 0;
        int i = 0;
        for (; i + 8 <= m; i += 8) mm8x3(p0, p1, a, aOff + i * aRow, aRow, aCol, b, bOff + j, rows, c, cOff + i * ldc + j, ldc, add);
        for (; i + 4 <= m; i += 4) mm4x3(p0, p1, a, aOff + i * aRow, aRow, aCol, b, bOff + j, rows, c, cOff + i * ldc + j, ldc, add);
        for (; i < m; i++) mm1x3(p0, p1, a, aOff + i * aRow, aCol, b, bOff + j, rows, c, cOff + i * ldc + j, add);
      }
    }
    // a 2L remainder (ResNet's 8×8 maps: 80 wide pixels = 3L + 2L) gets its own 24-accumulator tile
    for (; j + 2 * L <= n; j += 2 * L) {
      for (int q = 0; q < blocks; q++) {
        final int p0 = blockStart(q, k, blocks), p1 = blockStart(q + 1, k, blocks);
        final boolean add = acc || q > 0;
        int i = 0;
        for (; i + 12 <= m; i += 12) mm12x2(p0, p1, a, aOff + i * aRow, aRow, aCol, b, bOff + j, rows, c, cOff + i * ldc + j, ldc, add);
        for (; i + 4 <= m; i += 4) {
          mm4x1(p0, p1, a, aOff + i * aRow, aRow, aCol, b, bOff + j, rows, c, cOff + i * ldc + j, ldc, add);
          mm4x1(p0, p1, a, aOff + i * aRow, aRow, aCol, b, bOff + j + L, rows, c, cOff + i * ldc + j + L, ldc, add);
        }
        for (; i < m; i++) {
          mm1x1(p0, p1, a, aOff + i * aRow, aCol, b, bOff + j, rows, c, cOff + i * ldc + j, add);
          mm1x1(p0, p1, a, aOff + i * aRow, aCol, b, bOff + j + L, rows, c, cOff + i * ldc + j + L, add);
        }
      }
    }
    for (; j + L <= n; j += L) oneVector(m, k, blocks, a, aOff, aRow, aCol, b, bOff + j, rows, c, cOff + j, ldc, acc);
    if (j < n && j >= L && !acc) {
      // the last n − j columns as one whole vector ending at column n: it writes a few columns a
      // second time with the same values (each element is the same FMA chain over p), where the
      // scalar loop below made a 72-column product (8×9 phase planes) 10× slower
      j = n - L;
      oneVector(m, k, blocks, a, aOff, aRow, aCol, b, bOff + j, rows, c, cOff + j, ldc, false);
      j = n;
    }
    if (j < n) {
      Narrow t = Narrow.of(k, m, n - j, b, bOff + j, rows, c, cOff + j, ldc, acc);
      oneVector(m, k, blocks, a, aOff, aRow, aCol, t.b, 0, t.rows, t.c, 0, L, acc);
      t.back(m, n - j, c, cOff + j, ldc);
    }
  }

  /**
   * The last w < L columns of a product, run on the vector kernels through copies: B's w columns
   * into a zero-padded k × L array, the product into an m × L one, its first w columns back into C.
   * The scalar loop this replaced ran VGG-11's 2×2-map convs at batch 16 (products 4 or 8
   * columns wide) at 426 ms a step each, against 12 for its 4×4 ones.
   */
  private static final class Narrow {
    private static final ThreadLocal<Narrow> MINE = ThreadLocal.withInitial(Narrow::new);
    float[] b = new float[0], c = new float[0];
    /** rows[p] = p·L. */
    int[] rows = new int[0];

    static Narrow of(int k, int m, int w, float[] b, int b0, int[] rows, float[] c, int c0, int ldc, boolean acc) {
      Narrow t = MINE.get();
      if (t.rows.length < k) {
        t.rows = new int[Math.max(k, 2 * t.rows.length)];
        for (int p = 0; p < t.rows.length; p++) t.rows[p] = p * L;
        t.b = new float[t.rows.length * L];
      }
      if (t.c.length < m * L) t.c = new float[Math.max(m * L, 2 * t.c.length)];
      for (int p = 0; p < k; p++) {
        System.arraycopy(b, b0 + rows[p], t.b, p * L, w);
        java.util.Arrays.fill(t.b, p * L + w, (p + 1) * L, 0f);
      }
      if (acc) for (int i = 0; i < m; i++) System.arraycopy(c, c0 + i * ldc, t.c, i * L, w);
      return t;
    }

    /** The product's first w columns into C. */
    void back(int m, int w, float[] c, int c0, int ldc) {
      for (int i = 0; i < m; i++) System.arraycopy(this.c, i * L, c, c0 + i * ldc, w);
    }
  }

  /** One vector of columns of C (+)= A · B, all rows, k in blocks. */
  private static void oneVector(int m, int k, int blocks, float[] a, int aOff, int aRow, int aCol, float[] b, int b0,
      int[] rows, float[] c, int c0, int ldc, boolean acc) {
    for (int q = 0; q < blocks; q++) {
      final int p0 = blockStart(q, k, blocks), p1 = blockStart(q + 1, k, blocks);
      final boolean add = acc || q > 0;
      int i = 0;
      for (; i + 12 <= m; i += 12) mm12x1(p0, p1, a, aOff + i * aRow, aRow, aCol, b, b0, rows, c, c0 + i * ldc, ldc, add);
      for (; i + 4 <= m; i += 4) mm4x1(p0, p1, a, aOff + i * aRow, aRow, aCol, b, b0, rows, c, c0 + i * ldc, ldc, add);
      for (; i < m; i++) mm1x1(p0, p1, a, aOff + i * aRow, aCol, b, b0, rows, c, c0 + i * ldc, add);
    }
  }

  /**
   * The most rows of B a band of tiles reads before moving down to the next tiles (see kBlocks):
   * 128 for mm's bands of three vectors (24 KB of B), 256 for the packed products' bands of two
   * (32 KB).
   */
  static final int BLOCK_K = 128, PACKED_BLOCK_K = 256;

  /**
   * How many blocks k is cut into, at most {@code rows} rows each. A tile's loop over p reads a
   * band of B (k rows of two or three vectors) that the next tile down reads again; past a few
   * hundred rows that band no longer stays in L1 (48 KB here) and every tile streams it from L2.
   * Measured on one core, both settings in one JVM, alternating: VGG-11's weight-gradient shape
   * (512 × 4608 × 1024) went from 38–47 to 74–79 GFLOP/s, its 4×4-map forward (512 × 64 × 4608)
   * from 54–58 to 66–68; products with k up to 2,304 (ResNet-20's, VGG-11's middle layers) moved by
   * −6% to +11%. With the packed products' two-vector bands (2026-11-30, AMD EPYC, one core, four
   * JVMs a setting), 256 rows against 128: the shape of SimpleCNN's fc1 input gradient (32 × 2048 × 512)
   * 140–142 → 156–158 GFLOP/s, 32 × 512 × 2048 117–151 → 167–168, 32 × 288 × 288 203–206 →
   * 211–222, 512 × 4608 × 1024 181–188 → 188–191.
   */
  static int kBlocks(int k, int rows) {
    return k <= 2 * rows ? 1 : (k + rows - 1) / rows;
  }

  /** Where block q of k cut into {@code blocks} nearly equal parts starts. */
  static int blockStart(int q, int k, int blocks) {
    return (int) ((long) k * q / blocks);
  }

  /**
   * C[8 × 3L] at c0 (+)= A[8 × k] · B[k × 3L]: 24 accumulators, so each B load feeds eight FMAs and
   * each broadcast three (AVX-512 has 32 vector registers: 24 + 3 + 1 fit).
   */
  private static void mm8x3(int p0, int p1, float[] a, int a0, int aRow, int aCol, float[] b, int b0, int[] rows,
      float[] c, int c0, int ldc, boolean acc) {
    FloatVector c00 = load(c, c0, acc), c01 = load(c, c0 + L, acc), c02 = load(c, c0 + 2 * L, acc);
    FloatVector c10 = load(c, c0 + 1 * ldc, acc), c11 = load(c, c0 + 1 * ldc + L, acc), c12 = load(c, c0 + 1 * ldc + 2 * L, acc);
    FloatVector c20 = load(c, c0 + 2 * ldc, acc), c21 = load(c, c0 + 2 * ldc + L, acc), c22 = load(c, c0 + 2 * ldc + 2 * L, acc);
    FloatVector c30 = load(c, c0 + 3 * ldc, acc), c31 = load(c, c0 + 3 * ldc + L, acc), c32 = load(c, c0 + 3 * ldc + 2 * L, acc);
    FloatVector c40 = load(c, c0 + 4 * ldc, acc), c41 = load(c, c0 + 4 * ldc + L, acc), c42 = load(c, c0 + 4 * ldc + 2 * L, acc);
    FloatVector c50 = load(c, c0 + 5 * ldc, acc), c51 = load(c, c0 + 5 * ldc + L, acc), c52 = load(c, c0 + 5 * ldc + 2 * L, acc);
    FloatVector c60 = load(c, c0 + 6 * ldc, acc), c61 = load(c, c0 + 6 * ldc + L, acc), c62 = load(c, c0 + 6 * ldc + 2 * L, acc);
    FloatVector c70 = load(c, c0 + 7 * ldc, acc), c71 = load(c, c0 + 7 * ldc + L, acc), c72 = load(c, c0 + 7 * ldc + 2 * L, acc);
    for (int p = p0; p < p1; p++) {
      int bp = b0 + rows[p];
      FloatVector b0v = FloatVector.fromArray(S, b, bp);
      FloatVector b1v = FloatVector.fromArray(S, b, bp + L);
      FloatVector b2v = FloatVector.fromArray(S, b, bp + 2 * L);
      int ap = a0 + p * aCol;
      FloatVector x;
      x = FloatVector.broadcast(S, a[ap]);
      c00 = b0v.fma(x, c00);
      c01 = b1v.fma(x, c01);
      c02 = b2v.fma(x, c02);
      x = FloatVector.broadcast(S, a[ap + 1 * aRow]);
      c10 = b0v.fma(x, c10);
      c11 = b1v.fma(x, c11);
      c12 = b2v.fma(x, c12);
      x = FloatVector.broadcast(S, a[ap + 2 * aRow]);
      c20 = b0v.fma(x, c20);
      c21 = b1v.fma(x, c21);
      c22 = b2v.fma(x, c22);
      x = FloatVector.broadcast(S, a[ap + 3 * aRow]);
      c30 = b0v.fma(x, c30);
      c31 = b1v.fma(x, c31);
      c32 = b2v.fma(x, c32);
      x = FloatVector.broadcast(S, a[ap + 4 * aRow]);
      c40 = b0v.fma(x, c40);
      c41 = b1v.fma(x, c41);
      c42 = b2v.fma(x, c42);
      x = FloatVector.broadcast(S, a[ap + 5 * aRow]);
      c50 = b0v.fma(x, c50);
      c51 = b1v.fma(x, c51);
      c52 = b2v.fma(x, c52);
      x = FloatVector.broadcast(S, a[ap + 6 * aRow]);
      c60 = b0v.fma(x, c60);
      c61 = b1v.fma(x, c61);
      c62 = b2v.fma(x, c62);
      x = FloatVector.broadcast(S, a[ap + 7 * aRow]);
      c70 = b0v.fma(x, c70);
      c71 = b1v.fma(x, c71);
      c72 = b2v.fma(x, c72);
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c02.intoArray(c, c0 + 2 * L);
    c10.intoArray(c, c0 + 1 * ldc);
    c11.intoArray(c, c0 + 1 * ldc + L);
    c12.intoArray(c, c0 + 1 * ldc + 2 * L);
    c20.intoArray(c, c0 + 2 * ldc);
    c21.intoArray(c, c0 + 2 * ldc + L);
    c22.intoArray(c, c0 + 2 * ldc + 2 * L);
    c30.intoArray(c, c0 + 3 * ldc);
    c31.intoArray(c, c0 + 3 * ldc + L);
    c32.intoArray(c, c0 + 3 * ldc + 2 * L);
    c40.intoArray(c, c0 + 4 * ldc);
    c41.intoArray(c, c0 + 4 * ldc + L);
    c42.intoArray(c, c0 + 4 * ldc + 2 * L);
    c50.intoArray(c, c0 + 5 * ldc);
    c51.intoArray(c, c0 + 5 * ldc + L);
    c52.intoArray(c, c0 + 5 * ldc + 2 * L);
    c60.intoArray(c, c0 + 6 * ldc);
    c61.intoArray(c, c0 + 6 * ldc + L);
    c62.intoArray(c, c0 + 6 * ldc + 2 * L);
    c70.intoArray(c, c0 + 7 * ldc);
    c71.intoArray(c, c0 + 7 * ldc + L);
    c72.intoArray(c, c0 + 7 * ldc + 2 * L);
  }

  /** C[12 × 2L] at c0 (+)= A[12 × k] at a0 · B[k × 2L] at b0 (B's rows through the table). */
  private static void mm12x2(int p0, int p1, float[] a, int a0, int aRow, int aCol, float[] b, int b0, int[] rows,
      float[] c, int c0, int ldc, boolean acc) {
    FloatVector c00 = load(c, c0 + 0 * ldc + 0 * L, acc), c01 = load(c, c0 + 0 * ldc + 1 * L, acc);
    FloatVector c10 = load(c, c0 + 1 * ldc + 0 * L, acc), c11 = load(c, c0 + 1 * ldc + 1 * L, acc);
    FloatVector c20 = load(c, c0 + 2 * ldc + 0 * L, acc), c21 = load(c, c0 + 2 * ldc + 1 * L, acc);
    FloatVector c30 = load(c, c0 + 3 * ldc + 0 * L, acc), c31 = load(c, c0 + 3 * ldc + 1 * L, acc);
    FloatVector c40 = load(c, c0 + 4 * ldc + 0 * L, acc), c41 = load(c, c0 + 4 * ldc + 1 * L, acc);
    FloatVector c50 = load(c, c0 + 5 * ldc + 0 * L, acc), c51 = load(c, c0 + 5 * ldc + 1 * L, acc);
    FloatVector c60 = load(c, c0 + 6 * ldc + 0 * L, acc), c61 = load(c, c0 + 6 * ldc + 1 * L, acc);
    FloatVector c70 = load(c, c0 + 7 * ldc + 0 * L, acc), c71 = load(c, c0 + 7 * ldc + 1 * L, acc);
    FloatVector c80 = load(c, c0 + 8 * ldc + 0 * L, acc), c81 = load(c, c0 + 8 * ldc + 1 * L, acc);
    FloatVector c90 = load(c, c0 + 9 * ldc + 0 * L, acc), c91 = load(c, c0 + 9 * ldc + 1 * L, acc);
    FloatVector c100 = load(c, c0 + 10 * ldc + 0 * L, acc), c101 = load(c, c0 + 10 * ldc + 1 * L, acc);
    FloatVector c110 = load(c, c0 + 11 * ldc + 0 * L, acc), c111 = load(c, c0 + 11 * ldc + 1 * L, acc);
    for (int p = p0; p < p1; p++) {
      final int bp = b0 + rows[p], ap = a0 + p * aCol;
      final FloatVector b0v = FloatVector.fromArray(S, b, bp + 0 * L);
      final FloatVector b1v = FloatVector.fromArray(S, b, bp + 1 * L);
      FloatVector x;
      x = FloatVector.broadcast(S, a[ap + 0 * aRow]);
      c00 = b0v.fma(x, c00);
      c01 = b1v.fma(x, c01);
      x = FloatVector.broadcast(S, a[ap + 1 * aRow]);
      c10 = b0v.fma(x, c10);
      c11 = b1v.fma(x, c11);
      x = FloatVector.broadcast(S, a[ap + 2 * aRow]);
      c20 = b0v.fma(x, c20);
      c21 = b1v.fma(x, c21);
      x = FloatVector.broadcast(S, a[ap + 3 * aRow]);
      c30 = b0v.fma(x, c30);
      c31 = b1v.fma(x, c31);
      x = FloatVector.broadcast(S, a[ap + 4 * aRow]);
      c40 = b0v.fma(x, c40);
      c41 = b1v.fma(x, c41);
      x = FloatVector.broadcast(S, a[ap + 5 * aRow]);
      c50 = b0v.fma(x, c50);
      c51 = b1v.fma(x, c51);
      x = FloatVector.broadcast(S, a[ap + 6 * aRow]);
      c60 = b0v.fma(x, c60);
      c61 = b1v.fma(x, c61);
      x = FloatVector.broadcast(S, a[ap + 7 * aRow]);
      c70 = b0v.fma(x, c70);
      c71 = b1v.fma(x, c71);
      x = FloatVector.broadcast(S, a[ap + 8 * aRow]);
      c80 = b0v.fma(x, c80);
      c81 = b1v.fma(x, c81);
      x = FloatVector.broadcast(S, a[ap + 9 * aRow]);
      c90 = b0v.fma(x, c90);
      c91 = b1v.fma(x, c91);
      x = FloatVector.broadcast(S, a[ap + 10 * aRow]);
      c100 = b0v.fma(x, c100);
      c101 = b1v.fma(x, c101);
      x = FloatVector.broadcast(S, a[ap + 11 * aRow]);
      c110 = b0v.fma(x, c110);
      c111 = b1v.fma(x, c111);
    }
    c00.intoArray(c, c0 + 0 * ldc + 0 * L);
    c01.intoArray(c, c0 + 0 * ldc + 1 * L);
    c10.intoArray(c, c0 + 1 * ldc + 0 * L);
    c11.intoArray(c, c0 + 1 * ldc + 1 * L);
    c20.intoArray(c, c0 + 2 * ldc + 0 * L);
    c21.intoArray(c, c0 + 2 * ldc + 1 * L);
    c30.intoArray(c, c0 + 3 * ldc + 0 * L);
    c31.intoArray(c, c0 + 3 * ldc + 1 * L);
    c40.intoArray(c, c0 + 4 * ldc + 0 * L);
    c41.intoArray(c, c0 + 4 * ldc + 1 * L);
    c50.intoArray(c, c0 + 5 * ldc + 0 * L);
    c51.intoArray(c, c0 + 5 * ldc + 1 * L);
    c60.intoArray(c, c0 + 6 * ldc + 0 * L);
    c61.intoArray(c, c0 + 6 * ldc + 1 * L);
    c70.intoArray(c, c0 + 7 * ldc + 0 * L);
    c71.intoArray(c, c0 + 7 * ldc + 1 * L);
    c80.intoArray(c, c0 + 8 * ldc + 0 * L);
    c81.intoArray(c, c0 + 8 * ldc + 1 * L);
    c90.intoArray(c, c0 + 9 * ldc + 0 * L);
    c91.intoArray(c, c0 + 9 * ldc + 1 * L);
    c100.intoArray(c, c0 + 10 * ldc + 0 * L);
    c101.intoArray(c, c0 + 10 * ldc + 1 * L);
    c110.intoArray(c, c0 + 11 * ldc + 0 * L);
    c111.intoArray(c, c0 + 11 * ldc + 1 * L);
  }

  /** C[12 × 1L] at c0 (+)= A[12 × k] at a0 · B[k × 1L] at b0 (B's rows through the table). */
  private static void mm12x1(int p0, int p1, float[] a, int a0, int aRow, int aCol, float[] b, int b0, int[] rows,
      float[] c, int c0, int ldc, boolean acc) {
    FloatVector c00 = load(c, c0 + 0 * ldc + 0 * L, acc);
    FloatVector c10 = load(c, c0 + 1 * ldc + 0 * L, acc);
    FloatVector c20 = load(c, c0 + 2 * ldc + 0 * L, acc);
    FloatVector c30 = load(c, c0 + 3 * ldc + 0 * L, acc);
    FloatVector c40 = load(c, c0 + 4 * ldc + 0 * L, acc);
    FloatVector c50 = load(c, c0 + 5 * ldc + 0 * L, acc);
    FloatVector c60 = load(c, c0 + 6 * ldc + 0 * L, acc);
    FloatVector c70 = load(c, c0 + 7 * ldc + 0 * L, acc);
    FloatVector c80 = load(c, c0 + 8 * ldc + 0 * L, acc);
    FloatVector c90 = load(c, c0 + 9 * ldc + 0 * L, acc);
    FloatVector c100 = load(c, c0 + 10 * ldc + 0 * L, acc);
    FloatVector c110 = load(c, c0 + 11 * ldc + 0 * L, acc);
    for (int p = p0; p < p1; p++) {
      final int bp = b0 + rows[p], ap = a0 + p * aCol;
      final FloatVector b0v = FloatVector.fromArray(S, b, bp + 0 * L);
      FloatVector x;
      x = FloatVector.broadcast(S, a[ap + 0 * aRow]);
      c00 = b0v.fma(x, c00);
      x = FloatVector.broadcast(S, a[ap + 1 * aRow]);
      c10 = b0v.fma(x, c10);
      x = FloatVector.broadcast(S, a[ap + 2 * aRow]);
      c20 = b0v.fma(x, c20);
      x = FloatVector.broadcast(S, a[ap + 3 * aRow]);
      c30 = b0v.fma(x, c30);
      x = FloatVector.broadcast(S, a[ap + 4 * aRow]);
      c40 = b0v.fma(x, c40);
      x = FloatVector.broadcast(S, a[ap + 5 * aRow]);
      c50 = b0v.fma(x, c50);
      x = FloatVector.broadcast(S, a[ap + 6 * aRow]);
      c60 = b0v.fma(x, c60);
      x = FloatVector.broadcast(S, a[ap + 7 * aRow]);
      c70 = b0v.fma(x, c70);
      x = FloatVector.broadcast(S, a[ap + 8 * aRow]);
      c80 = b0v.fma(x, c80);
      x = FloatVector.broadcast(S, a[ap + 9 * aRow]);
      c90 = b0v.fma(x, c90);
      x = FloatVector.broadcast(S, a[ap + 10 * aRow]);
      c100 = b0v.fma(x, c100);
      x = FloatVector.broadcast(S, a[ap + 11 * aRow]);
      c110 = b0v.fma(x, c110);
    }
    c00.intoArray(c, c0 + 0 * ldc + 0 * L);
    c10.intoArray(c, c0 + 1 * ldc + 0 * L);
    c20.intoArray(c, c0 + 2 * ldc + 0 * L);
    c30.intoArray(c, c0 + 3 * ldc + 0 * L);
    c40.intoArray(c, c0 + 4 * ldc + 0 * L);
    c50.intoArray(c, c0 + 5 * ldc + 0 * L);
    c60.intoArray(c, c0 + 6 * ldc + 0 * L);
    c70.intoArray(c, c0 + 7 * ldc + 0 * L);
    c80.intoArray(c, c0 + 8 * ldc + 0 * L);
    c90.intoArray(c, c0 + 9 * ldc + 0 * L);
    c100.intoArray(c, c0 + 10 * ldc + 0 * L);
    c110.intoArray(c, c0 + 11 * ldc + 0 * L);
  }

  /** C[4 × 3L] at c0 (+)= A[4 × k] at a0 · B[k × 3L] at b0. */
  private static void mm4x3(int p0, int p1, float[] a, int a0, int aRow, int aCol, float[] b, int b0, int[] rows,
      float[] c, int c0, int ldc, boolean acc) {
    int r1 = c0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
    FloatVector c00 = load(c, c0, acc), c01 = load(c, c0 + L, acc), c02 = load(c, c0 + 2 * L, acc);
    FloatVector c10 = load(c, r1, acc), c11 = load(c, r1 + L, acc), c12 = load(c, r1 + 2 * L, acc);
    FloatVector c20 = load(c, r2, acc), c21 = load(c, r2 + L, acc), c22 = load(c, r2 + 2 * L, acc);
    FloatVector c30 = load(c, r3, acc), c31 = load(c, r3 + L, acc), c32 = load(c, r3 + 2 * L, acc);
    for (int p = p0; p < p1; p++) {
      int bp = b0 + rows[p];
      FloatVector b0v = FloatVector.fromArray(S, b, bp);
      FloatVector b1v = FloatVector.fromArray(S, b, bp + L);
      FloatVector b2v = FloatVector.fromArray(S, b, bp + 2 * L);
      int ap = a0 + p * aCol;
      FloatVector x = FloatVector.broadcast(S, a[ap]);
      c00 = b0v.fma(x, c00);
      c01 = b1v.fma(x, c01);
      c02 = b2v.fma(x, c02);
      x = FloatVector.broadcast(S, a[ap + aRow]);
      c10 = b0v.fma(x, c10);
      c11 = b1v.fma(x, c11);
      c12 = b2v.fma(x, c12);
      x = FloatVector.broadcast(S, a[ap + 2 * aRow]);
      c20 = b0v.fma(x, c20);
      c21 = b1v.fma(x, c21);
      c22 = b2v.fma(x, c22);
      x = FloatVector.broadcast(S, a[ap + 3 * aRow]);
      c30 = b0v.fma(x, c30);
      c31 = b1v.fma(x, c31);
      c32 = b2v.fma(x, c32);
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c02.intoArray(c, c0 + 2 * L);
    c10.intoArray(c, r1);
    c11.intoArray(c, r1 + L);
    c12.intoArray(c, r1 + 2 * L);
    c20.intoArray(c, r2);
    c21.intoArray(c, r2 + L);
    c22.intoArray(c, r2 + 2 * L);
    c30.intoArray(c, r3);
    c31.intoArray(c, r3 + L);
    c32.intoArray(c, r3 + 2 * L);
  }

  private static void mm1x3(int p0, int p1, float[] a, int a0, int aCol, float[] b, int b0, int[] rows, float[] c, int c0,
      boolean acc) {
    FloatVector c00 = load(c, c0, acc), c01 = load(c, c0 + L, acc), c02 = load(c, c0 + 2 * L, acc);
    for (int p = p0; p < p1; p++) {
      int bp = b0 + rows[p];
      FloatVector x = FloatVector.broadcast(S, a[a0 + p * aCol]);
      c00 = FloatVector.fromArray(S, b, bp).fma(x, c00);
      c01 = FloatVector.fromArray(S, b, bp + L).fma(x, c01);
      c02 = FloatVector.fromArray(S, b, bp + 2 * L).fma(x, c02);
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c02.intoArray(c, c0 + 2 * L);
  }

  private static void mm4x1(int p0, int p1, float[] a, int a0, int aRow, int aCol, float[] b, int b0, int[] rows,
      float[] c, int c0, int ldc, boolean acc) {
    int r1 = c0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
    FloatVector c0v = load(c, c0, acc), c1v = load(c, r1, acc), c2v = load(c, r2, acc), c3v = load(c, r3, acc);
    for (int p = p0; p < p1; p++) {
      FloatVector bv = FloatVector.fromArray(S, b, b0 + rows[p]);
      int ap = a0 + p * aCol;
      c0v = bv.fma(FloatVector.broadcast(S, a[ap]), c0v);
      c1v = bv.fma(FloatVector.broadcast(S, a[ap + aRow]), c1v);
      c2v = bv.fma(FloatVector.broadcast(S, a[ap + 2 * aRow]), c2v);
      c3v = bv.fma(FloatVector.broadcast(S, a[ap + 3 * aRow]), c3v);
    }
    c0v.intoArray(c, c0);
    c1v.intoArray(c, r1);
    c2v.intoArray(c, r2);
    c3v.intoArray(c, r3);
  }

  private static void mm1x1(int p0, int p1, float[] a, int a0, int aCol, float[] b, int b0, int[] rows, float[] c, int c0,
      boolean acc) {
    FloatVector cv = load(c, c0, acc);
    for (int p = p0; p < p1; p++) {
      cv = FloatVector.fromArray(S, b, b0 + rows[p]).fma(FloatVector.broadcast(S, a[a0 + p * aCol]), cv);
    }
    cv.intoArray(c, c0);
  }

  @Override
  public void mmPacked(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, int[] rows, float[] c, int cOff,
      int ldc, boolean acc) {
    // rows below `full` come in p-major 8-row panels (one contiguous broadcast stream per tile),
    // the last m mod 8 rows row-major after them (Gemm.pack)
    int full = m / 8 * 8, tail = aOff + full * k;
    int j = 0, blocks = kBlocks(k, PACKED_BLOCK_K);
    // Bands of two vectors: an 8 × 2L tile (16 accumulators) is faster than 8 × 3L (24), which
    // on paper fits AVX-512's 32 registers (24 + 3 B + 1 broadcast) but C2 hoists the broadcasts
    // and spills accumulators: 1 to 3 stack round trips per k step, across an FMA chain. In a
    // harness (m 48, k 144, one core of a 273 GFLOP/s AMD EPYC, four JVMs each) 8 × 3L ran 181–187
    // GFLOP/s and 8 × 2L 230–238; mmRowsPacked 16 × 192 × 144: 181 → 221–232. ResNet-20's
    // 16-channel forward conv 1.04–1.37 ms → 0.87–0.90 a step; training 945–954 → 1,039 images/s.
    final Band band = full / 8 >= BAND_PANELS ? BAND.get() : null;
    for (; j + 2 * L <= n; j += 2 * L) {
      for (int q = 0; q < blocks; q++) {
        final int p0 = blockStart(q, k, blocks), p1 = blockStart(q + 1, k, blocks);
        final boolean add = acc || q > 0;
        if (band != null && farApart(rows, p0, p1)) {
          // in pieces of at most BAND_ROWS rows (32 KB), so a piece stays in L1 while every panel
          // reads it; each panel still sums p0..p1 in order, so the results are the same bits
          for (int s0 = p0; s0 < p1; s0 += BAND_ROWS) {
            final int s1 = Math.min(p1, s0 + BAND_ROWS);
            band.copy(s0, s1, b, bOff + j, rows);
            for (int i = 0; i < full; i += 8) {
              p8x2(s0, s1, a, aOff + i * k, band.data, -2 * L * s0, band.rows, c, cOff + i * ldc + j, ldc, add || s0 > p0);
            }
          }
        } else {
          for (int i = 0; i < full; i += 8) p8x2(p0, p1, a, aOff + i * k, b, bOff + j, rows, c, cOff + i * ldc + j, ldc, add);
        }
        packedTail1(m, full, k, p0, p1, a, tail, b, bOff + j, rows, c, cOff + j, ldc, add);
        packedTail1(m, full, k, p0, p1, a, tail, b, bOff + j + L, rows, c, cOff + j + L, ldc, add);
      }
    }
    for (; j + L <= n; j += L) packedVector(m, full, k, blocks, a, aOff, tail, b, bOff + j, rows, c, cOff + j, ldc, acc);
    if (j < n && j >= L && !acc) {
      // the last n − j columns as one whole vector ending at column n (see mm)
      j = n - L;
      packedVector(m, full, k, blocks, a, aOff, tail, b, bOff + j, rows, c, cOff + j, ldc, false);
      j = n;
    }
    if (j < n) {
      Narrow t = Narrow.of(k, m, n - j, b, bOff + j, rows, c, cOff + j, ldc, acc);
      packedVector(m, full, k, blocks, a, aOff, tail, t.b, 0, t.rows, t.c, 0, L, acc);
      t.back(m, n - j, c, cOff + j, ldc);
    }
  }

  /**
   * Row panels from this many on copy each band of B (a k-block of two vectors of columns) into a
   * contiguous buffer first, so the panels re-read it from L1. In place, B's rows are wherever the
   * table says: the grouped small-map convs' col rows are 1 KB apart, which puts a band's lines in
   * a few L1 sets that the panels evict from each other.
   */
  static final int BAND_PANELS = 16;
  /** Rows of a band copied at a time: 32 KB of floats, within L1 (48 KB here). */
  static final int BAND_ROWS = 256;
  /** Mean distance between B's rows, in floats, from which a band is copied (see farApart). */
  static final int BAND_SPACING = 128;

  /**
   * Whether rows p0..p1 of B lie at least {@link #BAND_SPACING} floats apart on average, as the
   * grouped convs' col rows do (192–256). A per-image conv's rows are shifts within a small padded
   * plane (VGG-11's 8×8 maps: 11 floats on average), already near each other: copying them cost
   * its 8×8 and 16×16 convs 4–11%.
   */
  static boolean farApart(int[] rows, int p0, int p1) {
    return p1 - p0 > 1 && (long) rows[p1 - 1] - rows[p0] >= (long) BAND_SPACING * (p1 - p0 - 1);
  }

  private static final ThreadLocal<Band> BAND = ThreadLocal.withInitial(Band::new);

  /** This thread's copy of one band of B: row p − p0 at data[(p − p0) · 2L], reached through rows[p] = p · 2L. */
  private static final class Band {
    float[] data = new float[0];
    int[] rows = new int[0];

    void copy(int p0, int p1, float[] b, int b0, int[] bRows) {
      if (rows.length < p1) {
        rows = new int[Math.max(p1, 2 * rows.length)];
        for (int p = 0; p < rows.length; p++) rows[p] = p * 2 * L;
      }
      if (data.length < (p1 - p0) * 2 * L) data = new float[(p1 - p0) * 2 * L];
      for (int p = p0, d = 0; p < p1; p++, d += 2 * L) {
        final int from = b0 + bRows[p];
        FloatVector.fromArray(S, b, from).intoArray(data, d);
        FloatVector.fromArray(S, b, from + L).intoArray(data, d + L);
      }
    }
  }

  /** One vector of columns of a packed A's product, all rows, k in blocks. */
  private static void packedVector(int m, int full, int k, int blocks, float[] a, int aOff, int tail, float[] b, int b0,
      int[] rows, float[] c, int c0, int ldc, boolean acc) {
    for (int q = 0; q < blocks; q++) {
      final int p0 = blockStart(q, k, blocks), p1 = blockStart(q + 1, k, blocks);
      final boolean add = acc || q > 0;
      for (int i = 0; i < full; i += 8) p8x1(p0, p1, a, aOff + i * k, b, b0, rows, c, c0 + i * ldc, ldc, add);
      packedTail1(m, full, k, p0, p1, a, tail, b, b0, rows, c, c0, ldc, add);
    }
  }

  /** One vector of columns for the row-major tail rows [full, m) of a packed A, p in [p0, p1). */
  private static void packedTail1(int m, int full, int k, int p0, int p1, float[] a, int tail, float[] b, int b0, int[] rows,
      float[] c, int c0, int ldc, boolean acc) {
    int i = full;
    for (; i + 4 <= m; i += 4) mm4x1(p0, p1, a, tail + (i - full) * k, k, 1, b, b0, rows, c, c0 + i * ldc, ldc, acc);
    for (; i < m; i++) mm1x1(p0, p1, a, tail + (i - full) * k, 1, b, b0, rows, c, c0 + i * ldc, acc);
  }

  /** C[8 × 2L] at c0 (+)= the packed 8-row panel at a0 (A(r, p) at a0 + 8p + r) · B[k × 2L] (B's rows through the table). */
  private static void p8x2(int p0, int p1, float[] a, int a0, float[] b, int b0, int[] rows, float[] c, int c0, int ldc,
      boolean acc) {
    FloatVector c00 = load(c, c0 + 0 * ldc + 0 * L, acc), c01 = load(c, c0 + 0 * ldc + 1 * L, acc);
    FloatVector c10 = load(c, c0 + 1 * ldc + 0 * L, acc), c11 = load(c, c0 + 1 * ldc + 1 * L, acc);
    FloatVector c20 = load(c, c0 + 2 * ldc + 0 * L, acc), c21 = load(c, c0 + 2 * ldc + 1 * L, acc);
    FloatVector c30 = load(c, c0 + 3 * ldc + 0 * L, acc), c31 = load(c, c0 + 3 * ldc + 1 * L, acc);
    FloatVector c40 = load(c, c0 + 4 * ldc + 0 * L, acc), c41 = load(c, c0 + 4 * ldc + 1 * L, acc);
    FloatVector c50 = load(c, c0 + 5 * ldc + 0 * L, acc), c51 = load(c, c0 + 5 * ldc + 1 * L, acc);
    FloatVector c60 = load(c, c0 + 6 * ldc + 0 * L, acc), c61 = load(c, c0 + 6 * ldc + 1 * L, acc);
    FloatVector c70 = load(c, c0 + 7 * ldc + 0 * L, acc), c71 = load(c, c0 + 7 * ldc + 1 * L, acc);
    for (int p = p0; p < p1; p++) {
      final int bp = b0 + rows[p], ap = a0 + 8 * p;
      final FloatVector b0v = FloatVector.fromArray(S, b, bp + 0 * L);
      final FloatVector b1v = FloatVector.fromArray(S, b, bp + 1 * L);
      FloatVector x;
      x = FloatVector.broadcast(S, a[ap + 0]);
      c00 = b0v.fma(x, c00);
      c01 = b1v.fma(x, c01);
      x = FloatVector.broadcast(S, a[ap + 1]);
      c10 = b0v.fma(x, c10);
      c11 = b1v.fma(x, c11);
      x = FloatVector.broadcast(S, a[ap + 2]);
      c20 = b0v.fma(x, c20);
      c21 = b1v.fma(x, c21);
      x = FloatVector.broadcast(S, a[ap + 3]);
      c30 = b0v.fma(x, c30);
      c31 = b1v.fma(x, c31);
      x = FloatVector.broadcast(S, a[ap + 4]);
      c40 = b0v.fma(x, c40);
      c41 = b1v.fma(x, c41);
      x = FloatVector.broadcast(S, a[ap + 5]);
      c50 = b0v.fma(x, c50);
      c51 = b1v.fma(x, c51);
      x = FloatVector.broadcast(S, a[ap + 6]);
      c60 = b0v.fma(x, c60);
      c61 = b1v.fma(x, c61);
      x = FloatVector.broadcast(S, a[ap + 7]);
      c70 = b0v.fma(x, c70);
      c71 = b1v.fma(x, c71);
    }
    c00.intoArray(c, c0 + 0 * ldc + 0 * L);
    c01.intoArray(c, c0 + 0 * ldc + 1 * L);
    c10.intoArray(c, c0 + 1 * ldc + 0 * L);
    c11.intoArray(c, c0 + 1 * ldc + 1 * L);
    c20.intoArray(c, c0 + 2 * ldc + 0 * L);
    c21.intoArray(c, c0 + 2 * ldc + 1 * L);
    c30.intoArray(c, c0 + 3 * ldc + 0 * L);
    c31.intoArray(c, c0 + 3 * ldc + 1 * L);
    c40.intoArray(c, c0 + 4 * ldc + 0 * L);
    c41.intoArray(c, c0 + 4 * ldc + 1 * L);
    c50.intoArray(c, c0 + 5 * ldc + 0 * L);
    c51.intoArray(c, c0 + 5 * ldc + 1 * L);
    c60.intoArray(c, c0 + 6 * ldc + 0 * L);
    c61.intoArray(c, c0 + 6 * ldc + 1 * L);
    c70.intoArray(c, c0 + 7 * ldc + 0 * L);
    c71.intoArray(c, c0 + 7 * ldc + 1 * L);
  }

  /** C[8 × 1L] at c0 (+)= the packed 8-row panel at a0 (A(r, p) at a0 + 8p + r) · B[k × 1L] (B's rows through the table). */
  private static void p8x1(int p0, int p1, float[] a, int a0, float[] b, int b0, int[] rows, float[] c, int c0, int ldc,
      boolean acc) {
    FloatVector c00 = load(c, c0 + 0 * ldc + 0 * L, acc);
    FloatVector c10 = load(c, c0 + 1 * ldc + 0 * L, acc);
    FloatVector c20 = load(c, c0 + 2 * ldc + 0 * L, acc);
    FloatVector c30 = load(c, c0 + 3 * ldc + 0 * L, acc);
    FloatVector c40 = load(c, c0 + 4 * ldc + 0 * L, acc);
    FloatVector c50 = load(c, c0 + 5 * ldc + 0 * L, acc);
    FloatVector c60 = load(c, c0 + 6 * ldc + 0 * L, acc);
    FloatVector c70 = load(c, c0 + 7 * ldc + 0 * L, acc);
    for (int p = p0; p < p1; p++) {
      final int bp = b0 + rows[p], ap = a0 + 8 * p;
      final FloatVector b0v = FloatVector.fromArray(S, b, bp + 0 * L);
      FloatVector x;
      x = FloatVector.broadcast(S, a[ap + 0]);
      c00 = b0v.fma(x, c00);
      x = FloatVector.broadcast(S, a[ap + 1]);
      c10 = b0v.fma(x, c10);
      x = FloatVector.broadcast(S, a[ap + 2]);
      c20 = b0v.fma(x, c20);
      x = FloatVector.broadcast(S, a[ap + 3]);
      c30 = b0v.fma(x, c30);
      x = FloatVector.broadcast(S, a[ap + 4]);
      c40 = b0v.fma(x, c40);
      x = FloatVector.broadcast(S, a[ap + 5]);
      c50 = b0v.fma(x, c50);
      x = FloatVector.broadcast(S, a[ap + 6]);
      c60 = b0v.fma(x, c60);
      x = FloatVector.broadcast(S, a[ap + 7]);
      c70 = b0v.fma(x, c70);
    }
    c00.intoArray(c, c0 + 0 * ldc + 0 * L);
    c10.intoArray(c, c0 + 1 * ldc + 0 * L);
    c20.intoArray(c, c0 + 2 * ldc + 0 * L);
    c30.intoArray(c, c0 + 3 * ldc + 0 * L);
    c40.intoArray(c, c0 + 4 * ldc + 0 * L);
    c50.intoArray(c, c0 + 5 * ldc + 0 * L);
    c60.intoArray(c, c0 + 6 * ldc + 0 * L);
    c70.intoArray(c, c0 + 7 * ldc + 0 * L);
  }

  @Override
  public void mmRowsA(int m, int n, int k, float[] a, int aOff, int[] aRows, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean acc) {
    if (slides(m, n, k, aRows, b, bOff, ldb)) {
      slidingRowsA(m, n, k, a, aOff, aRows, b, bOff, ldb, c, cOff, ldc, acc);
      return;
    }
    if (n >= L && inPhaseRuns(aRows, m)) {
      phasedRowsA(m, n, k, a, aOff, aRows, b, bOff, ldb, c, cOff, ldc, acc);
      return;
    }
    int j = 0;
    // A's rows come from the table (a conv's shifted views, read along pixels); B is row-major
    for (; j + 2 * L <= n; j += 2 * L) {
      int i = 0;
      // 8 rows, not 12: the 24-accumulator tile spilled as p8x3 did (see mmPacked); on one core,
      // 144 × 32 × 1024 145–151 → 254–257 GFLOP/s, 147 × 64 × 1024 172–174 → 231–245, 64 × 64 × 256
      // 120–122 → 223–231 (the weight gradients of 1×1, 5×5 and 7×7 convs)
      for (; i + 8 <= m; i += 8) a8x2(k, a, aOff, aRows, i, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, acc);
      for (; i < m; i++) a1x2(k, a, aOff, aRows, i, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, acc);
    }
    for (; j + L <= n; j += L) {
      int i = 0;
      for (; i + 12 <= m; i += 12) a12x1(k, a, aOff, aRows, i, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, acc);
      for (; i < m; i++) a1x1(k, a, aOff, aRows, i, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, acc);
    }
    columnsA(j, m, n, k, a, aOff, aRows, b, bOff, ldb, c, cOff, ldc, acc);
  }

  /** C[8 × 2L] at c0 (+)= A[8 rows from the table, k] · B[k × 2L] at b0. */
  private static void a8x2(int k, float[] a, int aOff, int[] aRows, int i0, float[] b, int b0, int ldb,
      float[] c, int c0, int ldc, boolean acc) {
    final int r0 = aOff + aRows[i0 + 0];
    final int r1 = aOff + aRows[i0 + 1];
    final int r2 = aOff + aRows[i0 + 2];
    final int r3 = aOff + aRows[i0 + 3];
    final int r4 = aOff + aRows[i0 + 4];
    final int r5 = aOff + aRows[i0 + 5];
    final int r6 = aOff + aRows[i0 + 6];
    final int r7 = aOff + aRows[i0 + 7];
    FloatVector c00 = load(c, c0 + 0 * ldc + 0 * L, acc), c01 = load(c, c0 + 0 * ldc + 1 * L, acc);
    FloatVector c10 = load(c, c0 + 1 * ldc + 0 * L, acc), c11 = load(c, c0 + 1 * ldc + 1 * L, acc);
    FloatVector c20 = load(c, c0 + 2 * ldc + 0 * L, acc), c21 = load(c, c0 + 2 * ldc + 1 * L, acc);
    FloatVector c30 = load(c, c0 + 3 * ldc + 0 * L, acc), c31 = load(c, c0 + 3 * ldc + 1 * L, acc);
    FloatVector c40 = load(c, c0 + 4 * ldc + 0 * L, acc), c41 = load(c, c0 + 4 * ldc + 1 * L, acc);
    FloatVector c50 = load(c, c0 + 5 * ldc + 0 * L, acc), c51 = load(c, c0 + 5 * ldc + 1 * L, acc);
    FloatVector c60 = load(c, c0 + 6 * ldc + 0 * L, acc), c61 = load(c, c0 + 6 * ldc + 1 * L, acc);
    FloatVector c70 = load(c, c0 + 7 * ldc + 0 * L, acc), c71 = load(c, c0 + 7 * ldc + 1 * L, acc);
    for (int p = 0, bp = b0; p < k; p++, bp += ldb) {
      final FloatVector b0v = FloatVector.fromArray(S, b, bp + 0 * L);
      final FloatVector b1v = FloatVector.fromArray(S, b, bp + 1 * L);
      FloatVector x;
      x = FloatVector.broadcast(S, a[r0 + p]);
      c00 = b0v.fma(x, c00);
      c01 = b1v.fma(x, c01);
      x = FloatVector.broadcast(S, a[r1 + p]);
      c10 = b0v.fma(x, c10);
      c11 = b1v.fma(x, c11);
      x = FloatVector.broadcast(S, a[r2 + p]);
      c20 = b0v.fma(x, c20);
      c21 = b1v.fma(x, c21);
      x = FloatVector.broadcast(S, a[r3 + p]);
      c30 = b0v.fma(x, c30);
      c31 = b1v.fma(x, c31);
      x = FloatVector.broadcast(S, a[r4 + p]);
      c40 = b0v.fma(x, c40);
      c41 = b1v.fma(x, c41);
      x = FloatVector.broadcast(S, a[r5 + p]);
      c50 = b0v.fma(x, c50);
      c51 = b1v.fma(x, c51);
      x = FloatVector.broadcast(S, a[r6 + p]);
      c60 = b0v.fma(x, c60);
      c61 = b1v.fma(x, c61);
      x = FloatVector.broadcast(S, a[r7 + p]);
      c70 = b0v.fma(x, c70);
      c71 = b1v.fma(x, c71);
    }
    c00.intoArray(c, c0 + 0 * ldc + 0 * L);
    c01.intoArray(c, c0 + 0 * ldc + 1 * L);
    c10.intoArray(c, c0 + 1 * ldc + 0 * L);
    c11.intoArray(c, c0 + 1 * ldc + 1 * L);
    c20.intoArray(c, c0 + 2 * ldc + 0 * L);
    c21.intoArray(c, c0 + 2 * ldc + 1 * L);
    c30.intoArray(c, c0 + 3 * ldc + 0 * L);
    c31.intoArray(c, c0 + 3 * ldc + 1 * L);
    c40.intoArray(c, c0 + 4 * ldc + 0 * L);
    c41.intoArray(c, c0 + 4 * ldc + 1 * L);
    c50.intoArray(c, c0 + 5 * ldc + 0 * L);
    c51.intoArray(c, c0 + 5 * ldc + 1 * L);
    c60.intoArray(c, c0 + 6 * ldc + 0 * L);
    c61.intoArray(c, c0 + 6 * ldc + 1 * L);
    c70.intoArray(c, c0 + 7 * ldc + 0 * L);
    c71.intoArray(c, c0 + 7 * ldc + 1 * L);
  }


  /** C[1 × 2L] at c0 (+)= A[1 rows from the table, k] · B[k × 2L] at b0. */
  private static void a1x2(int k, float[] a, int aOff, int[] aRows, int i0, float[] b, int b0, int ldb,
      float[] c, int c0, int ldc, boolean acc) {
    final int r0 = aOff + aRows[i0 + 0];
    FloatVector c00 = load(c, c0 + 0 * ldc + 0 * L, acc), c01 = load(c, c0 + 0 * ldc + 1 * L, acc);
    for (int p = 0, bp = b0; p < k; p++, bp += ldb) {
      final FloatVector b0v = FloatVector.fromArray(S, b, bp + 0 * L);
      final FloatVector b1v = FloatVector.fromArray(S, b, bp + 1 * L);
      FloatVector x;
      x = FloatVector.broadcast(S, a[r0 + p]);
      c00 = b0v.fma(x, c00);
      c01 = b1v.fma(x, c01);
    }
    c00.intoArray(c, c0 + 0 * ldc + 0 * L);
    c01.intoArray(c, c0 + 0 * ldc + 1 * L);
  }

  /** C[12 × 1L] at c0 (+)= A[12 rows from the table, k] · B[k × 1L] at b0. */
  private static void a12x1(int k, float[] a, int aOff, int[] aRows, int i0, float[] b, int b0, int ldb,
      float[] c, int c0, int ldc, boolean acc) {
    final int r0 = aOff + aRows[i0 + 0];
    final int r1 = aOff + aRows[i0 + 1];
    final int r2 = aOff + aRows[i0 + 2];
    final int r3 = aOff + aRows[i0 + 3];
    final int r4 = aOff + aRows[i0 + 4];
    final int r5 = aOff + aRows[i0 + 5];
    final int r6 = aOff + aRows[i0 + 6];
    final int r7 = aOff + aRows[i0 + 7];
    final int r8 = aOff + aRows[i0 + 8];
    final int r9 = aOff + aRows[i0 + 9];
    final int r10 = aOff + aRows[i0 + 10];
    final int r11 = aOff + aRows[i0 + 11];
    FloatVector c00 = load(c, c0 + 0 * ldc + 0 * L, acc);
    FloatVector c10 = load(c, c0 + 1 * ldc + 0 * L, acc);
    FloatVector c20 = load(c, c0 + 2 * ldc + 0 * L, acc);
    FloatVector c30 = load(c, c0 + 3 * ldc + 0 * L, acc);
    FloatVector c40 = load(c, c0 + 4 * ldc + 0 * L, acc);
    FloatVector c50 = load(c, c0 + 5 * ldc + 0 * L, acc);
    FloatVector c60 = load(c, c0 + 6 * ldc + 0 * L, acc);
    FloatVector c70 = load(c, c0 + 7 * ldc + 0 * L, acc);
    FloatVector c80 = load(c, c0 + 8 * ldc + 0 * L, acc);
    FloatVector c90 = load(c, c0 + 9 * ldc + 0 * L, acc);
    FloatVector c100 = load(c, c0 + 10 * ldc + 0 * L, acc);
    FloatVector c110 = load(c, c0 + 11 * ldc + 0 * L, acc);
    for (int p = 0, bp = b0; p < k; p++, bp += ldb) {
      final FloatVector b0v = FloatVector.fromArray(S, b, bp + 0 * L);
      FloatVector x;
      x = FloatVector.broadcast(S, a[r0 + p]);
      c00 = b0v.fma(x, c00);
      x = FloatVector.broadcast(S, a[r1 + p]);
      c10 = b0v.fma(x, c10);
      x = FloatVector.broadcast(S, a[r2 + p]);
      c20 = b0v.fma(x, c20);
      x = FloatVector.broadcast(S, a[r3 + p]);
      c30 = b0v.fma(x, c30);
      x = FloatVector.broadcast(S, a[r4 + p]);
      c40 = b0v.fma(x, c40);
      x = FloatVector.broadcast(S, a[r5 + p]);
      c50 = b0v.fma(x, c50);
      x = FloatVector.broadcast(S, a[r6 + p]);
      c60 = b0v.fma(x, c60);
      x = FloatVector.broadcast(S, a[r7 + p]);
      c70 = b0v.fma(x, c70);
      x = FloatVector.broadcast(S, a[r8 + p]);
      c80 = b0v.fma(x, c80);
      x = FloatVector.broadcast(S, a[r9 + p]);
      c90 = b0v.fma(x, c90);
      x = FloatVector.broadcast(S, a[r10 + p]);
      c100 = b0v.fma(x, c100);
      x = FloatVector.broadcast(S, a[r11 + p]);
      c110 = b0v.fma(x, c110);
    }
    c00.intoArray(c, c0 + 0 * ldc + 0 * L);
    c10.intoArray(c, c0 + 1 * ldc + 0 * L);
    c20.intoArray(c, c0 + 2 * ldc + 0 * L);
    c30.intoArray(c, c0 + 3 * ldc + 0 * L);
    c40.intoArray(c, c0 + 4 * ldc + 0 * L);
    c50.intoArray(c, c0 + 5 * ldc + 0 * L);
    c60.intoArray(c, c0 + 6 * ldc + 0 * L);
    c70.intoArray(c, c0 + 7 * ldc + 0 * L);
    c80.intoArray(c, c0 + 8 * ldc + 0 * L);
    c90.intoArray(c, c0 + 9 * ldc + 0 * L);
    c100.intoArray(c, c0 + 10 * ldc + 0 * L);
    c110.intoArray(c, c0 + 11 * ldc + 0 * L);
  }

  /** C[1 × 1L] at c0 (+)= A[1 rows from the table, k] · B[k × 1L] at b0. */
  private static void a1x1(int k, float[] a, int aOff, int[] aRows, int i0, float[] b, int b0, int ldb,
      float[] c, int c0, int ldc, boolean acc) {
    final int r0 = aOff + aRows[i0 + 0];
    FloatVector c00 = load(c, c0 + 0 * ldc + 0 * L, acc);
    for (int p = 0, bp = b0; p < k; p++, bp += ldb) {
      final FloatVector b0v = FloatVector.fromArray(S, b, bp + 0 * L);
      FloatVector x;
      x = FloatVector.broadcast(S, a[r0 + p]);
      c00 = b0v.fma(x, c00);
    }
    c00.intoArray(c, c0 + 0 * ldc + 0 * L);
  }

  /** mmRowsA's columns from j on (fewer than a vector), one dot product each. */
  private static void columnsA(int j, int m, int n, int k, float[] a, int aOff, int[] aRows, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc, boolean acc) {
    for (; j < n; j++) {
      for (int i = 0; i < m; i++) {
        float s = 0f;
        int ai = aOff + aRows[i];
        for (int p = 0; p < k; p++) s += a[ai + p] * b[bOff + p * ldb + j];
        int at = cOff + i * ldc + j;
        c[at] = acc ? c[at] + s : s;
      }
    }
  }

  /**
   * Whether the table's rows come in runs of three consecutive offsets, (r, r + 1, r + 2): a 3-wide
   * stride-1 kernel's shifted views, whose taps kw = 0, 1, 2 read the same pixels one apart.
   */
  static boolean inThreeTapRuns(int[] aRows, int m) {
    if (m % 3 != 0) return false;
    for (int i = 0; i < m; i += 3) {
      if (aRows[i + 1] != aRows[i] + 1 || aRows[i + 2] != aRows[i] + 2) return false;
    }
    return true;
  }

  /** Whether mmRowsA takes the sliding-window kernels: three-tap runs and two zero rows after B's last. */
  static boolean slides(int m, int n, int k, int[] aRows, float[] b, int bOff, int ldb) {
    return n >= L && inThreeTapRuns(aRows, m) && zeroRowsAfter(b, bOff, ldb, k, n);
  }

  /** Whether B has two more rows after its k, both zero (in the first n columns). */
  private static boolean zeroRowsAfter(float[] b, int bOff, int ldb, int k, int n) {
    final int from = bOff + k * ldb;
    if ((long) from + ldb + n > b.length) return false;
    for (int j = 0; j < n; j++) {
      if (b[from + j] != 0f || b[from + ldb + j] != 0f) return false;
    }
    return true;
  }

  /**
   * mmRowsA for tables of three-tap runs. Row (run, tap) at pixel p reads A at run + p + tap, so the
   * value loaded at q = p + tap serves tap 0 at pixel q, tap 1 at q − 1 and tap 2 at q − 2: each
   * broadcast feeds three rows against a window of B's last three rows, which slides along with q
   * (each B row loaded once): a third of mmRowsA's broadcasts. q runs from 0 to k + 1, the window
   * starting at zero and B's two rows after the last being zero, so every step is the same loop
   * body: no separate first and last steps, which made the kernels half again as large and C2 then
   * compiled them without the Vector API's intrinsics in 9 of 14 JVMs checked (15× slower to the end;
   * more inlined Vector API calls pass C2's summed trap limits sooner, see KernelJit).
   * On one core, in one JVM, against the general kernels (ResNet-20's weight-gradient products, on a
   * contended machine): 16 channels at 32×32 49–50 → 88–90 GFLOP/s, 32 at 16×16 64–65 → 97, 64 at
   * 8×8 60 → 87–89. Each C element sums its pixels in the general kernels' order plus products
   * with zero, so the results are the same bit for bit (but for the sign of a zero).
   */
  private static void slidingRowsA(int m, int n, int k, float[] a, int aOff, int[] aRows, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc, boolean acc) {
    int j = 0;
    for (; j + 2 * L <= n; j += 2 * L) {
      int i = 0;
      for (; i + 9 <= m; i += 9) slide3x2(k, a, aOff, aRows, i, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, acc);
      for (; i < m; i += 3) slide1x2(k, a, aOff, aRows, i, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, acc);
    }
    for (; j + L <= n; j += L) {
      int i = 0;
      for (; i + 18 <= m; i += 18) slide6x1(k, a, aOff, aRows, i, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, acc);
      for (; i < m; i += 3) slide1x1(k, a, aOff, aRows, i, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, acc);
    }
    columnsA(j, m, n, k, a, aOff, aRows, b, bOff, ldb, c, cOff, ldc, acc);
  }

  /** C[18 × 1L] at c0 (+)= 6 runs of three consecutive rows from the table · B[k × 1L] at b0, B's rows k and k + 1 zero. */
  private static void slide6x1(int k, float[] a, int aOff, int[] aRows, int i0, float[] b, int b0, int ldb,
      float[] c, int c0, int ldc, boolean acc) {
    final int r0 = aOff + aRows[i0 + 0];
    final int r3 = aOff + aRows[i0 + 3];
    final int r6 = aOff + aRows[i0 + 6];
    final int r9 = aOff + aRows[i0 + 9];
    final int r12 = aOff + aRows[i0 + 12];
    final int r15 = aOff + aRows[i0 + 15];
    FloatVector c00 = load(c, c0 + 0 * ldc + 0 * L, acc);
    FloatVector c10 = load(c, c0 + 1 * ldc + 0 * L, acc);
    FloatVector c20 = load(c, c0 + 2 * ldc + 0 * L, acc);
    FloatVector c30 = load(c, c0 + 3 * ldc + 0 * L, acc);
    FloatVector c40 = load(c, c0 + 4 * ldc + 0 * L, acc);
    FloatVector c50 = load(c, c0 + 5 * ldc + 0 * L, acc);
    FloatVector c60 = load(c, c0 + 6 * ldc + 0 * L, acc);
    FloatVector c70 = load(c, c0 + 7 * ldc + 0 * L, acc);
    FloatVector c80 = load(c, c0 + 8 * ldc + 0 * L, acc);
    FloatVector c90 = load(c, c0 + 9 * ldc + 0 * L, acc);
    FloatVector c100 = load(c, c0 + 10 * ldc + 0 * L, acc);
    FloatVector c110 = load(c, c0 + 11 * ldc + 0 * L, acc);
    FloatVector c120 = load(c, c0 + 12 * ldc + 0 * L, acc);
    FloatVector c130 = load(c, c0 + 13 * ldc + 0 * L, acc);
    FloatVector c140 = load(c, c0 + 14 * ldc + 0 * L, acc);
    FloatVector c150 = load(c, c0 + 15 * ldc + 0 * L, acc);
    FloatVector c160 = load(c, c0 + 16 * ldc + 0 * L, acc);
    FloatVector c170 = load(c, c0 + 17 * ldc + 0 * L, acc);
    // B's rows q − 1 and q − 2 (zero before the first), slid along with q: each row is loaded once
    FloatVector b0q1 = FloatVector.zero(S), b0q2 = b0q1;
    for (int q = 0, bq = b0; q < k + 2; q++, bq += ldb) {
      // A's value at q meets B's rows q, q − 1 and q − 2 through taps 0, 1 and 2
      final FloatVector b0q = FloatVector.fromArray(S, b, bq + 0 * L);
      FloatVector x;
      x = FloatVector.broadcast(S, a[r0 + q]);
      c00 = b0q.fma(x, c00);
      c10 = b0q1.fma(x, c10);
      c20 = b0q2.fma(x, c20);
      x = FloatVector.broadcast(S, a[r3 + q]);
      c30 = b0q.fma(x, c30);
      c40 = b0q1.fma(x, c40);
      c50 = b0q2.fma(x, c50);
      x = FloatVector.broadcast(S, a[r6 + q]);
      c60 = b0q.fma(x, c60);
      c70 = b0q1.fma(x, c70);
      c80 = b0q2.fma(x, c80);
      x = FloatVector.broadcast(S, a[r9 + q]);
      c90 = b0q.fma(x, c90);
      c100 = b0q1.fma(x, c100);
      c110 = b0q2.fma(x, c110);
      x = FloatVector.broadcast(S, a[r12 + q]);
      c120 = b0q.fma(x, c120);
      c130 = b0q1.fma(x, c130);
      c140 = b0q2.fma(x, c140);
      x = FloatVector.broadcast(S, a[r15 + q]);
      c150 = b0q.fma(x, c150);
      c160 = b0q1.fma(x, c160);
      c170 = b0q2.fma(x, c170);
      b0q2 = b0q1;
      b0q1 = b0q;
    }
    c00.intoArray(c, c0 + 0 * ldc + 0 * L);
    c10.intoArray(c, c0 + 1 * ldc + 0 * L);
    c20.intoArray(c, c0 + 2 * ldc + 0 * L);
    c30.intoArray(c, c0 + 3 * ldc + 0 * L);
    c40.intoArray(c, c0 + 4 * ldc + 0 * L);
    c50.intoArray(c, c0 + 5 * ldc + 0 * L);
    c60.intoArray(c, c0 + 6 * ldc + 0 * L);
    c70.intoArray(c, c0 + 7 * ldc + 0 * L);
    c80.intoArray(c, c0 + 8 * ldc + 0 * L);
    c90.intoArray(c, c0 + 9 * ldc + 0 * L);
    c100.intoArray(c, c0 + 10 * ldc + 0 * L);
    c110.intoArray(c, c0 + 11 * ldc + 0 * L);
    c120.intoArray(c, c0 + 12 * ldc + 0 * L);
    c130.intoArray(c, c0 + 13 * ldc + 0 * L);
    c140.intoArray(c, c0 + 14 * ldc + 0 * L);
    c150.intoArray(c, c0 + 15 * ldc + 0 * L);
    c160.intoArray(c, c0 + 16 * ldc + 0 * L);
    c170.intoArray(c, c0 + 17 * ldc + 0 * L);
  }

  /** C[3 × 1L] at c0 (+)= 1 runs of three consecutive rows from the table · B[k × 1L] at b0, B's rows k and k + 1 zero. */
  private static void slide1x1(int k, float[] a, int aOff, int[] aRows, int i0, float[] b, int b0, int ldb,
      float[] c, int c0, int ldc, boolean acc) {
    final int r0 = aOff + aRows[i0 + 0];
    FloatVector c00 = load(c, c0 + 0 * ldc + 0 * L, acc);
    FloatVector c10 = load(c, c0 + 1 * ldc + 0 * L, acc);
    FloatVector c20 = load(c, c0 + 2 * ldc + 0 * L, acc);
    // B's rows q − 1 and q − 2 (zero before the first), slid along with q: each row is loaded once
    FloatVector b0q1 = FloatVector.zero(S), b0q2 = b0q1;
    for (int q = 0, bq = b0; q < k + 2; q++, bq += ldb) {
      // A's value at q meets B's rows q, q − 1 and q − 2 through taps 0, 1 and 2
      final FloatVector b0q = FloatVector.fromArray(S, b, bq + 0 * L);
      FloatVector x;
      x = FloatVector.broadcast(S, a[r0 + q]);
      c00 = b0q.fma(x, c00);
      c10 = b0q1.fma(x, c10);
      c20 = b0q2.fma(x, c20);
      b0q2 = b0q1;
      b0q1 = b0q;
    }
    c00.intoArray(c, c0 + 0 * ldc + 0 * L);
    c10.intoArray(c, c0 + 1 * ldc + 0 * L);
    c20.intoArray(c, c0 + 2 * ldc + 0 * L);
  }

  /** C[9 × 2L] at c0 (+)= 3 runs of three consecutive rows from the table · B[k × 2L] at b0, B's rows k and k + 1 zero. */
  private static void slide3x2(int k, float[] a, int aOff, int[] aRows, int i0, float[] b, int b0, int ldb,
      float[] c, int c0, int ldc, boolean acc) {
    final int r0 = aOff + aRows[i0 + 0];
    final int r3 = aOff + aRows[i0 + 3];
    final int r6 = aOff + aRows[i0 + 6];
    FloatVector c00 = load(c, c0 + 0 * ldc + 0 * L, acc), c01 = load(c, c0 + 0 * ldc + 1 * L, acc);
    FloatVector c10 = load(c, c0 + 1 * ldc + 0 * L, acc), c11 = load(c, c0 + 1 * ldc + 1 * L, acc);
    FloatVector c20 = load(c, c0 + 2 * ldc + 0 * L, acc), c21 = load(c, c0 + 2 * ldc + 1 * L, acc);
    FloatVector c30 = load(c, c0 + 3 * ldc + 0 * L, acc), c31 = load(c, c0 + 3 * ldc + 1 * L, acc);
    FloatVector c40 = load(c, c0 + 4 * ldc + 0 * L, acc), c41 = load(c, c0 + 4 * ldc + 1 * L, acc);
    FloatVector c50 = load(c, c0 + 5 * ldc + 0 * L, acc), c51 = load(c, c0 + 5 * ldc + 1 * L, acc);
    FloatVector c60 = load(c, c0 + 6 * ldc + 0 * L, acc), c61 = load(c, c0 + 6 * ldc + 1 * L, acc);
    FloatVector c70 = load(c, c0 + 7 * ldc + 0 * L, acc), c71 = load(c, c0 + 7 * ldc + 1 * L, acc);
    FloatVector c80 = load(c, c0 + 8 * ldc + 0 * L, acc), c81 = load(c, c0 + 8 * ldc + 1 * L, acc);
    // B's rows q − 1 and q − 2 (zero before the first), slid along with q: each row is loaded once
    FloatVector b0q1 = FloatVector.zero(S), b0q2 = b0q1;
    FloatVector b1q1 = FloatVector.zero(S), b1q2 = b1q1;
    for (int q = 0, bq = b0; q < k + 2; q++, bq += ldb) {
      // A's value at q meets B's rows q, q − 1 and q − 2 through taps 0, 1 and 2
      final FloatVector b0q = FloatVector.fromArray(S, b, bq + 0 * L);
      final FloatVector b1q = FloatVector.fromArray(S, b, bq + 1 * L);
      FloatVector x;
      x = FloatVector.broadcast(S, a[r0 + q]);
      c00 = b0q.fma(x, c00);
      c01 = b1q.fma(x, c01);
      c10 = b0q1.fma(x, c10);
      c11 = b1q1.fma(x, c11);
      c20 = b0q2.fma(x, c20);
      c21 = b1q2.fma(x, c21);
      x = FloatVector.broadcast(S, a[r3 + q]);
      c30 = b0q.fma(x, c30);
      c31 = b1q.fma(x, c31);
      c40 = b0q1.fma(x, c40);
      c41 = b1q1.fma(x, c41);
      c50 = b0q2.fma(x, c50);
      c51 = b1q2.fma(x, c51);
      x = FloatVector.broadcast(S, a[r6 + q]);
      c60 = b0q.fma(x, c60);
      c61 = b1q.fma(x, c61);
      c70 = b0q1.fma(x, c70);
      c71 = b1q1.fma(x, c71);
      c80 = b0q2.fma(x, c80);
      c81 = b1q2.fma(x, c81);
      b0q2 = b0q1;
      b0q1 = b0q;
      b1q2 = b1q1;
      b1q1 = b1q;
    }
    c00.intoArray(c, c0 + 0 * ldc + 0 * L);
    c01.intoArray(c, c0 + 0 * ldc + 1 * L);
    c10.intoArray(c, c0 + 1 * ldc + 0 * L);
    c11.intoArray(c, c0 + 1 * ldc + 1 * L);
    c20.intoArray(c, c0 + 2 * ldc + 0 * L);
    c21.intoArray(c, c0 + 2 * ldc + 1 * L);
    c30.intoArray(c, c0 + 3 * ldc + 0 * L);
    c31.intoArray(c, c0 + 3 * ldc + 1 * L);
    c40.intoArray(c, c0 + 4 * ldc + 0 * L);
    c41.intoArray(c, c0 + 4 * ldc + 1 * L);
    c50.intoArray(c, c0 + 5 * ldc + 0 * L);
    c51.intoArray(c, c0 + 5 * ldc + 1 * L);
    c60.intoArray(c, c0 + 6 * ldc + 0 * L);
    c61.intoArray(c, c0 + 6 * ldc + 1 * L);
    c70.intoArray(c, c0 + 7 * ldc + 0 * L);
    c71.intoArray(c, c0 + 7 * ldc + 1 * L);
    c80.intoArray(c, c0 + 8 * ldc + 0 * L);
    c81.intoArray(c, c0 + 8 * ldc + 1 * L);
  }

  /** C[3 × 2L] at c0 (+)= 1 runs of three consecutive rows from the table · B[k × 2L] at b0, B's rows k and k + 1 zero. */
  private static void slide1x2(int k, float[] a, int aOff, int[] aRows, int i0, float[] b, int b0, int ldb,
      float[] c, int c0, int ldc, boolean acc) {
    final int r0 = aOff + aRows[i0 + 0];
    FloatVector c00 = load(c, c0 + 0 * ldc + 0 * L, acc), c01 = load(c, c0 + 0 * ldc + 1 * L, acc);
    FloatVector c10 = load(c, c0 + 1 * ldc + 0 * L, acc), c11 = load(c, c0 + 1 * ldc + 1 * L, acc);
    FloatVector c20 = load(c, c0 + 2 * ldc + 0 * L, acc), c21 = load(c, c0 + 2 * ldc + 1 * L, acc);
    // B's rows q − 1 and q − 2 (zero before the first), slid along with q: each row is loaded once
    FloatVector b0q1 = FloatVector.zero(S), b0q2 = b0q1;
    FloatVector b1q1 = FloatVector.zero(S), b1q2 = b1q1;
    for (int q = 0, bq = b0; q < k + 2; q++, bq += ldb) {
      // A's value at q meets B's rows q, q − 1 and q − 2 through taps 0, 1 and 2
      final FloatVector b0q = FloatVector.fromArray(S, b, bq + 0 * L);
      final FloatVector b1q = FloatVector.fromArray(S, b, bq + 1 * L);
      FloatVector x;
      x = FloatVector.broadcast(S, a[r0 + q]);
      c00 = b0q.fma(x, c00);
      c01 = b1q.fma(x, c01);
      c10 = b0q1.fma(x, c10);
      c11 = b1q1.fma(x, c11);
      c20 = b0q2.fma(x, c20);
      c21 = b1q2.fma(x, c21);
      b0q2 = b0q1;
      b0q1 = b0q;
      b1q2 = b1q1;
      b1q1 = b1q;
    }
    c00.intoArray(c, c0 + 0 * ldc + 0 * L);
    c01.intoArray(c, c0 + 0 * ldc + 1 * L);
    c10.intoArray(c, c0 + 1 * ldc + 0 * L);
    c11.intoArray(c, c0 + 1 * ldc + 1 * L);
    c20.intoArray(c, c0 + 2 * ldc + 0 * L);
    c21.intoArray(c, c0 + 2 * ldc + 1 * L);
  }


  /**
   * Whether the table's rows come in runs of three, (r, s, r + 1): a 3-wide kernel's taps over a
   * stride-2 conv's phase planes, where taps kw = 0 and 2 read the same plane one pixel apart and
   * kw = 1 the other plane.
   */
  static boolean inPhaseRuns(int[] aRows, int m) {
    if (m % 3 != 0) return false;
    for (int i = 0; i < m; i += 3) {
      if (aRows[i + 2] != aRows[i] + 1) return false;
    }
    return true;
  }

  /**
   * mmRowsA for tables of phase runs. The value A holds at r + q serves tap 0 at pixel q and tap 2
   * at q − 1, against a window of B's rows q and q − 1 that slides with q: 2 broadcasts for 3 rows
   * where the general kernels take 3. Tap 2's last pixel is added after the loop, so nothing past
   * A's rows or B's k is read. Each C element sums its pixels in the general kernels' order (plus,
   * for tap 2, a product with zero first), so the results are the same bit for bit but for the sign
   * of a zero. On one core, layer2.first.conv1 of ResNet-20 (144 × 32 × 272, stride-2 phase
   * planes): 70–73 GFLOP/s in the general kernels, 104–144 in these (a contended machine).
   */
  private static void phasedRowsA(int m, int n, int k, float[] a, int aOff, int[] aRows, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc, boolean acc) {
    int j = 0;
    for (; j + 2 * L <= n; j += 2 * L) {
      int i = 0;
      for (; i + 9 <= m; i += 9) phase3x2(k, a, aOff, aRows, i, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, acc);
      for (; i < m; i += 3) phase1x2(k, a, aOff, aRows, i, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, acc);
    }
    for (; j + L <= n; j += L) {
      int i = 0;
      for (; i + 18 <= m; i += 18) phase6x1(k, a, aOff, aRows, i, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, acc);
      for (; i < m; i += 3) phase1x1(k, a, aOff, aRows, i, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, acc);
    }
    columnsA(j, m, n, k, a, aOff, aRows, b, bOff, ldb, c, cOff, ldc, acc);
  }

  /** C[18 × 1L] at c0 (+)= 6 phase runs (r, s, r + 1) from the table · B[k × 1L] at b0. */
  private static void phase6x1(int k, float[] a, int aOff, int[] aRows, int i0, float[] b, int b0, int ldb,
      float[] c, int c0, int ldc, boolean acc) {
    final int r0 = aOff + aRows[i0 + 0], r1 = aOff + aRows[i0 + 1];
    final int r3 = aOff + aRows[i0 + 3], r4 = aOff + aRows[i0 + 4];
    final int r6 = aOff + aRows[i0 + 6], r7 = aOff + aRows[i0 + 7];
    final int r9 = aOff + aRows[i0 + 9], r10 = aOff + aRows[i0 + 10];
    final int r12 = aOff + aRows[i0 + 12], r13 = aOff + aRows[i0 + 13];
    final int r15 = aOff + aRows[i0 + 15], r16 = aOff + aRows[i0 + 16];
    FloatVector c00 = load(c, c0 + 0 * ldc + 0 * L, acc);
    FloatVector c10 = load(c, c0 + 1 * ldc + 0 * L, acc);
    FloatVector c20 = load(c, c0 + 2 * ldc + 0 * L, acc);
    FloatVector c30 = load(c, c0 + 3 * ldc + 0 * L, acc);
    FloatVector c40 = load(c, c0 + 4 * ldc + 0 * L, acc);
    FloatVector c50 = load(c, c0 + 5 * ldc + 0 * L, acc);
    FloatVector c60 = load(c, c0 + 6 * ldc + 0 * L, acc);
    FloatVector c70 = load(c, c0 + 7 * ldc + 0 * L, acc);
    FloatVector c80 = load(c, c0 + 8 * ldc + 0 * L, acc);
    FloatVector c90 = load(c, c0 + 9 * ldc + 0 * L, acc);
    FloatVector c100 = load(c, c0 + 10 * ldc + 0 * L, acc);
    FloatVector c110 = load(c, c0 + 11 * ldc + 0 * L, acc);
    FloatVector c120 = load(c, c0 + 12 * ldc + 0 * L, acc);
    FloatVector c130 = load(c, c0 + 13 * ldc + 0 * L, acc);
    FloatVector c140 = load(c, c0 + 14 * ldc + 0 * L, acc);
    FloatVector c150 = load(c, c0 + 15 * ldc + 0 * L, acc);
    FloatVector c160 = load(c, c0 + 16 * ldc + 0 * L, acc);
    FloatVector c170 = load(c, c0 + 17 * ldc + 0 * L, acc);
    // B's row p − 1 (zero before the first), for the third tap: each row is loaded once
    FloatVector b0p = FloatVector.zero(S);
    for (int q = 0, bq = b0; q < k; q++, bq += ldb) {
      // A's value at r + q meets B's row q through tap 0 and row q − 1 through tap 2; s + q meets row q
      final FloatVector b0q = FloatVector.fromArray(S, b, bq + 0 * L);
      FloatVector x;
      x = FloatVector.broadcast(S, a[r0 + q]);
      c00 = b0q.fma(x, c00);
      c20 = b0p.fma(x, c20);
      x = FloatVector.broadcast(S, a[r1 + q]);
      c10 = b0q.fma(x, c10);
      x = FloatVector.broadcast(S, a[r3 + q]);
      c30 = b0q.fma(x, c30);
      c50 = b0p.fma(x, c50);
      x = FloatVector.broadcast(S, a[r4 + q]);
      c40 = b0q.fma(x, c40);
      x = FloatVector.broadcast(S, a[r6 + q]);
      c60 = b0q.fma(x, c60);
      c80 = b0p.fma(x, c80);
      x = FloatVector.broadcast(S, a[r7 + q]);
      c70 = b0q.fma(x, c70);
      x = FloatVector.broadcast(S, a[r9 + q]);
      c90 = b0q.fma(x, c90);
      c110 = b0p.fma(x, c110);
      x = FloatVector.broadcast(S, a[r10 + q]);
      c100 = b0q.fma(x, c100);
      x = FloatVector.broadcast(S, a[r12 + q]);
      c120 = b0q.fma(x, c120);
      c140 = b0p.fma(x, c140);
      x = FloatVector.broadcast(S, a[r13 + q]);
      c130 = b0q.fma(x, c130);
      x = FloatVector.broadcast(S, a[r15 + q]);
      c150 = b0q.fma(x, c150);
      c170 = b0p.fma(x, c170);
      x = FloatVector.broadcast(S, a[r16 + q]);
      c160 = b0q.fma(x, c160);
      b0p = b0q;
    }
    // tap 2's last pixel, k − 1, reads A at r + k (row r + 1's last value)
    FloatVector x;
    x = FloatVector.broadcast(S, a[r0 + k]);
    c20 = b0p.fma(x, c20);
    x = FloatVector.broadcast(S, a[r3 + k]);
    c50 = b0p.fma(x, c50);
    x = FloatVector.broadcast(S, a[r6 + k]);
    c80 = b0p.fma(x, c80);
    x = FloatVector.broadcast(S, a[r9 + k]);
    c110 = b0p.fma(x, c110);
    x = FloatVector.broadcast(S, a[r12 + k]);
    c140 = b0p.fma(x, c140);
    x = FloatVector.broadcast(S, a[r15 + k]);
    c170 = b0p.fma(x, c170);
    c00.intoArray(c, c0 + 0 * ldc + 0 * L);
    c10.intoArray(c, c0 + 1 * ldc + 0 * L);
    c20.intoArray(c, c0 + 2 * ldc + 0 * L);
    c30.intoArray(c, c0 + 3 * ldc + 0 * L);
    c40.intoArray(c, c0 + 4 * ldc + 0 * L);
    c50.intoArray(c, c0 + 5 * ldc + 0 * L);
    c60.intoArray(c, c0 + 6 * ldc + 0 * L);
    c70.intoArray(c, c0 + 7 * ldc + 0 * L);
    c80.intoArray(c, c0 + 8 * ldc + 0 * L);
    c90.intoArray(c, c0 + 9 * ldc + 0 * L);
    c100.intoArray(c, c0 + 10 * ldc + 0 * L);
    c110.intoArray(c, c0 + 11 * ldc + 0 * L);
    c120.intoArray(c, c0 + 12 * ldc + 0 * L);
    c130.intoArray(c, c0 + 13 * ldc + 0 * L);
    c140.intoArray(c, c0 + 14 * ldc + 0 * L);
    c150.intoArray(c, c0 + 15 * ldc + 0 * L);
    c160.intoArray(c, c0 + 16 * ldc + 0 * L);
    c170.intoArray(c, c0 + 17 * ldc + 0 * L);
  }

  /** C[3 × 1L] at c0 (+)= 1 phase runs (r, s, r + 1) from the table · B[k × 1L] at b0. */
  private static void phase1x1(int k, float[] a, int aOff, int[] aRows, int i0, float[] b, int b0, int ldb,
      float[] c, int c0, int ldc, boolean acc) {
    final int r0 = aOff + aRows[i0 + 0], r1 = aOff + aRows[i0 + 1];
    FloatVector c00 = load(c, c0 + 0 * ldc + 0 * L, acc);
    FloatVector c10 = load(c, c0 + 1 * ldc + 0 * L, acc);
    FloatVector c20 = load(c, c0 + 2 * ldc + 0 * L, acc);
    // B's row p − 1 (zero before the first), for the third tap: each row is loaded once
    FloatVector b0p = FloatVector.zero(S);
    for (int q = 0, bq = b0; q < k; q++, bq += ldb) {
      // A's value at r + q meets B's row q through tap 0 and row q − 1 through tap 2; s + q meets row q
      final FloatVector b0q = FloatVector.fromArray(S, b, bq + 0 * L);
      FloatVector x;
      x = FloatVector.broadcast(S, a[r0 + q]);
      c00 = b0q.fma(x, c00);
      c20 = b0p.fma(x, c20);
      x = FloatVector.broadcast(S, a[r1 + q]);
      c10 = b0q.fma(x, c10);
      b0p = b0q;
    }
    // tap 2's last pixel, k − 1, reads A at r + k (row r + 1's last value)
    FloatVector x;
    x = FloatVector.broadcast(S, a[r0 + k]);
    c20 = b0p.fma(x, c20);
    c00.intoArray(c, c0 + 0 * ldc + 0 * L);
    c10.intoArray(c, c0 + 1 * ldc + 0 * L);
    c20.intoArray(c, c0 + 2 * ldc + 0 * L);
  }

  /** C[9 × 2L] at c0 (+)= 3 phase runs (r, s, r + 1) from the table · B[k × 2L] at b0. */
  private static void phase3x2(int k, float[] a, int aOff, int[] aRows, int i0, float[] b, int b0, int ldb,
      float[] c, int c0, int ldc, boolean acc) {
    final int r0 = aOff + aRows[i0 + 0], r1 = aOff + aRows[i0 + 1];
    final int r3 = aOff + aRows[i0 + 3], r4 = aOff + aRows[i0 + 4];
    final int r6 = aOff + aRows[i0 + 6], r7 = aOff + aRows[i0 + 7];
    FloatVector c00 = load(c, c0 + 0 * ldc + 0 * L, acc), c01 = load(c, c0 + 0 * ldc + 1 * L, acc);
    FloatVector c10 = load(c, c0 + 1 * ldc + 0 * L, acc), c11 = load(c, c0 + 1 * ldc + 1 * L, acc);
    FloatVector c20 = load(c, c0 + 2 * ldc + 0 * L, acc), c21 = load(c, c0 + 2 * ldc + 1 * L, acc);
    FloatVector c30 = load(c, c0 + 3 * ldc + 0 * L, acc), c31 = load(c, c0 + 3 * ldc + 1 * L, acc);
    FloatVector c40 = load(c, c0 + 4 * ldc + 0 * L, acc), c41 = load(c, c0 + 4 * ldc + 1 * L, acc);
    FloatVector c50 = load(c, c0 + 5 * ldc + 0 * L, acc), c51 = load(c, c0 + 5 * ldc + 1 * L, acc);
    FloatVector c60 = load(c, c0 + 6 * ldc + 0 * L, acc), c61 = load(c, c0 + 6 * ldc + 1 * L, acc);
    FloatVector c70 = load(c, c0 + 7 * ldc + 0 * L, acc), c71 = load(c, c0 + 7 * ldc + 1 * L, acc);
    FloatVector c80 = load(c, c0 + 8 * ldc + 0 * L, acc), c81 = load(c, c0 + 8 * ldc + 1 * L, acc);
    // B's row p − 1 (zero before the first), for the third tap: each row is loaded once
    FloatVector b0p = FloatVector.zero(S), b1p = FloatVector.zero(S);
    for (int q = 0, bq = b0; q < k; q++, bq += ldb) {
      // A's value at r + q meets B's row q through tap 0 and row q − 1 through tap 2; s + q meets row q
      final FloatVector b0q = FloatVector.fromArray(S, b, bq + 0 * L);
      final FloatVector b1q = FloatVector.fromArray(S, b, bq + 1 * L);
      FloatVector x;
      x = FloatVector.broadcast(S, a[r0 + q]);
      c00 = b0q.fma(x, c00);
      c01 = b1q.fma(x, c01);
      c20 = b0p.fma(x, c20);
      c21 = b1p.fma(x, c21);
      x = FloatVector.broadcast(S, a[r1 + q]);
      c10 = b0q.fma(x, c10);
      c11 = b1q.fma(x, c11);
      x = FloatVector.broadcast(S, a[r3 + q]);
      c30 = b0q.fma(x, c30);
      c31 = b1q.fma(x, c31);
      c50 = b0p.fma(x, c50);
      c51 = b1p.fma(x, c51);
      x = FloatVector.broadcast(S, a[r4 + q]);
      c40 = b0q.fma(x, c40);
      c41 = b1q.fma(x, c41);
      x = FloatVector.broadcast(S, a[r6 + q]);
      c60 = b0q.fma(x, c60);
      c61 = b1q.fma(x, c61);
      c80 = b0p.fma(x, c80);
      c81 = b1p.fma(x, c81);
      x = FloatVector.broadcast(S, a[r7 + q]);
      c70 = b0q.fma(x, c70);
      c71 = b1q.fma(x, c71);
      b0p = b0q;
      b1p = b1q;
    }
    // tap 2's last pixel, k − 1, reads A at r + k (row r + 1's last value)
    FloatVector x;
    x = FloatVector.broadcast(S, a[r0 + k]);
    c20 = b0p.fma(x, c20);
    c21 = b1p.fma(x, c21);
    x = FloatVector.broadcast(S, a[r3 + k]);
    c50 = b0p.fma(x, c50);
    c51 = b1p.fma(x, c51);
    x = FloatVector.broadcast(S, a[r6 + k]);
    c80 = b0p.fma(x, c80);
    c81 = b1p.fma(x, c81);
    c00.intoArray(c, c0 + 0 * ldc + 0 * L);
    c01.intoArray(c, c0 + 0 * ldc + 1 * L);
    c10.intoArray(c, c0 + 1 * ldc + 0 * L);
    c11.intoArray(c, c0 + 1 * ldc + 1 * L);
    c20.intoArray(c, c0 + 2 * ldc + 0 * L);
    c21.intoArray(c, c0 + 2 * ldc + 1 * L);
    c30.intoArray(c, c0 + 3 * ldc + 0 * L);
    c31.intoArray(c, c0 + 3 * ldc + 1 * L);
    c40.intoArray(c, c0 + 4 * ldc + 0 * L);
    c41.intoArray(c, c0 + 4 * ldc + 1 * L);
    c50.intoArray(c, c0 + 5 * ldc + 0 * L);
    c51.intoArray(c, c0 + 5 * ldc + 1 * L);
    c60.intoArray(c, c0 + 6 * ldc + 0 * L);
    c61.intoArray(c, c0 + 6 * ldc + 1 * L);
    c70.intoArray(c, c0 + 7 * ldc + 0 * L);
    c71.intoArray(c, c0 + 7 * ldc + 1 * L);
    c80.intoArray(c, c0 + 8 * ldc + 0 * L);
    c81.intoArray(c, c0 + 8 * ldc + 1 * L);
  }

  /** C[3 × 2L] at c0 (+)= 1 phase runs (r, s, r + 1) from the table · B[k × 2L] at b0. */
  private static void phase1x2(int k, float[] a, int aOff, int[] aRows, int i0, float[] b, int b0, int ldb,
      float[] c, int c0, int ldc, boolean acc) {
    final int r0 = aOff + aRows[i0 + 0], r1 = aOff + aRows[i0 + 1];
    FloatVector c00 = load(c, c0 + 0 * ldc + 0 * L, acc), c01 = load(c, c0 + 0 * ldc + 1 * L, acc);
    FloatVector c10 = load(c, c0 + 1 * ldc + 0 * L, acc), c11 = load(c, c0 + 1 * ldc + 1 * L, acc);
    FloatVector c20 = load(c, c0 + 2 * ldc + 0 * L, acc), c21 = load(c, c0 + 2 * ldc + 1 * L, acc);
    // B's row p − 1 (zero before the first), for the third tap: each row is loaded once
    FloatVector b0p = FloatVector.zero(S), b1p = FloatVector.zero(S);
    for (int q = 0, bq = b0; q < k; q++, bq += ldb) {
      // A's value at r + q meets B's row q through tap 0 and row q − 1 through tap 2; s + q meets row q
      final FloatVector b0q = FloatVector.fromArray(S, b, bq + 0 * L);
      final FloatVector b1q = FloatVector.fromArray(S, b, bq + 1 * L);
      FloatVector x;
      x = FloatVector.broadcast(S, a[r0 + q]);
      c00 = b0q.fma(x, c00);
      c01 = b1q.fma(x, c01);
      c20 = b0p.fma(x, c20);
      c21 = b1p.fma(x, c21);
      x = FloatVector.broadcast(S, a[r1 + q]);
      c10 = b0q.fma(x, c10);
      c11 = b1q.fma(x, c11);
      b0p = b0q;
      b1p = b1q;
    }
    // tap 2's last pixel, k − 1, reads A at r + k (row r + 1's last value)
    FloatVector x;
    x = FloatVector.broadcast(S, a[r0 + k]);
    c20 = b0p.fma(x, c20);
    c21 = b1p.fma(x, c21);
    c00.intoArray(c, c0 + 0 * ldc + 0 * L);
    c01.intoArray(c, c0 + 0 * ldc + 1 * L);
    c10.intoArray(c, c0 + 1 * ldc + 0 * L);
    c11.intoArray(c, c0 + 1 * ldc + 1 * L);
    c20.intoArray(c, c0 + 2 * ldc + 0 * L);
    c21.intoArray(c, c0 + 2 * ldc + 1 * L);
  }


  private static FloatVector load(float[] c, int at, boolean acc) {
    return acc ? FloatVector.fromArray(S, c, at) : FloatVector.zero(S);
  }

  @Override
  public void mmt(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int[] rows,
      float[] c, int cOff, int ldc, boolean acc) {
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      int j = 0;
      for (; j + 4 <= n; j += 4) dot4x4(k, a, aOff + i * lda, lda, b, bOff + rows[j], bOff + rows[j + 1], bOff + rows[j + 2], bOff + rows[j + 3], c, cOff + i * ldc + j, ldc, acc);
      for (; j < n; j++) {
        for (int r = 0; r < 4; r++) dot(k, a, aOff + (i + r) * lda, b, bOff + rows[j], c, cOff + (i + r) * ldc + j, acc);
      }
    }
    for (; i < m; i++) {
      for (int j = 0; j < n; j++) dot(k, a, aOff + i * lda, b, bOff + rows[j], c, cOff + i * ldc + j, acc);
    }
  }

  /** The 16 dot products of 4 rows of A with 4 rows of B, 16 accumulators across k. */
  private static void dot4x4(int k, float[] a, int a0, int lda, float[] b, int b0, int b1, int b2, int b3,
      float[] c, int c0, int ldc, boolean acc) {
    FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00;
    FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
    FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
    FloatVector s30 = s00, s31 = s00, s32 = s00, s33 = s00;
    int p = 0;
    for (; p + L <= k; p += L) {
      FloatVector y0 = FloatVector.fromArray(S, b, b0 + p);
      FloatVector y1 = FloatVector.fromArray(S, b, b1 + p);
      FloatVector y2 = FloatVector.fromArray(S, b, b2 + p);
      FloatVector y3 = FloatVector.fromArray(S, b, b3 + p);
      FloatVector x = FloatVector.fromArray(S, a, a0 + p);
      s00 = x.fma(y0, s00);
      s01 = x.fma(y1, s01);
      s02 = x.fma(y2, s02);
      s03 = x.fma(y3, s03);
      x = FloatVector.fromArray(S, a, a0 + lda + p);
      s10 = x.fma(y0, s10);
      s11 = x.fma(y1, s11);
      s12 = x.fma(y2, s12);
      s13 = x.fma(y3, s13);
      x = FloatVector.fromArray(S, a, a0 + 2 * lda + p);
      s20 = x.fma(y0, s20);
      s21 = x.fma(y1, s21);
      s22 = x.fma(y2, s22);
      s23 = x.fma(y3, s23);
      x = FloatVector.fromArray(S, a, a0 + 3 * lda + p);
      s30 = x.fma(y0, s30);
      s31 = x.fma(y1, s31);
      s32 = x.fma(y2, s32);
      s33 = x.fma(y3, s33);
    }
    // Vectors stay in registers only if they never escape (no arrays of them): one call per sum.
    put(c, c0, acc, s00, a, a0, b, b0, p, k);
    put(c, c0 + 1, acc, s01, a, a0, b, b1, p, k);
    put(c, c0 + 2, acc, s02, a, a0, b, b2, p, k);
    put(c, c0 + 3, acc, s03, a, a0, b, b3, p, k);
    put(c, c0 + ldc, acc, s10, a, a0 + lda, b, b0, p, k);
    put(c, c0 + ldc + 1, acc, s11, a, a0 + lda, b, b1, p, k);
    put(c, c0 + ldc + 2, acc, s12, a, a0 + lda, b, b2, p, k);
    put(c, c0 + ldc + 3, acc, s13, a, a0 + lda, b, b3, p, k);
    put(c, c0 + 2 * ldc, acc, s20, a, a0 + 2 * lda, b, b0, p, k);
    put(c, c0 + 2 * ldc + 1, acc, s21, a, a0 + 2 * lda, b, b1, p, k);
    put(c, c0 + 2 * ldc + 2, acc, s22, a, a0 + 2 * lda, b, b2, p, k);
    put(c, c0 + 2 * ldc + 3, acc, s23, a, a0 + 2 * lda, b, b3, p, k);
    put(c, c0 + 3 * ldc, acc, s30, a, a0 + 3 * lda, b, b0, p, k);
    put(c, c0 + 3 * ldc + 1, acc, s31, a, a0 + 3 * lda, b, b1, p, k);
    put(c, c0 + 3 * ldc + 2, acc, s32, a, a0 + 3 * lda, b, b2, p, k);
    put(c, c0 + 3 * ldc + 3, acc, s33, a, a0 + 3 * lda, b, b3, p, k);
  }

  /** c[at] (+)= the lanes of s plus the scalar tail a[ai + p..k) · b[bj + p..k). */
  private static void put(float[] c, int at, boolean acc, FloatVector s, float[] a, int ai, float[] b, int bj, int p, int k) {
    float v = s.reduceLanes(VectorOperators.ADD);
    for (int t = p; t < k; t++) v += a[ai + t] * b[bj + t];
    c[at] = acc ? c[at] + v : v;
  }

  private static void dot(int k, float[] a, int a0, float[] b, int b0, float[] c, int at, boolean acc) {
    FloatVector s = FloatVector.zero(S);
    int p = 0;
    for (; p + L <= k; p += L) s = FloatVector.fromArray(S, a, a0 + p).fma(FloatVector.fromArray(S, b, b0 + p), s);
    float v = s.reduceLanes(VectorOperators.ADD);
    for (; p < k; p++) v += a[a0 + p] * b[b0 + p];
    c[at] = acc ? c[at] + v : v;
  }

  @Override
  public String toString() {
    return "vector (" + L + " floats)";
  }
}
