// Where each row of a convolution's im2col matrix starts inside the zero-padded image, so the GEMM
// can read the rows in place (Gemm.mmRows) instead of copying them out.
package dev.cnnc.runtime.cpu;

public final class Shifts {
  private Shifts() {}

  /**
   * Row (ci, kh, kw) of im2col for a stride-1 conv starts at ci·hp·wp + kh·dh·wp + kw·dw in the
   * padded image (channels × hp × wp): the image shifted by the tap, read in the "wide" layout.
   */
  public static int[] of(int channels, int hp, int wp, int kh, int kw, int dh, int dw) {
    int[] rows = new int[channels * kh * kw];
    for (int c = 0, r = 0; c < channels; c++) {
      for (int i = 0; i < kh; i++) {
        for (int j = 0; j < kw; j++, r++) rows[r] = c * hp * wp + i * dh * wp + j * dw;
      }
    }
    return rows;
  }

  /**
   * Row (ci, kh, kw) of im2col for a strided conv whose padded image is split into sh × sw phase
   * planes (hph × wph each, plane (a, b) holding padded pixels (i·sh + a, j·sw + b)): tap (kh, kw)
   * reads plane ((kh·dh) mod sh, (kw·dw) mod sw) from row (kh·dh) div sh, column (kw·dw) div sw.
   */
  public static int[] phased(int channels, int sh, int sw, int hph, int wph, int kh, int kw, int dh, int dw) {
    int[] rows = new int[channels * kh * kw];
    for (int c = 0, r = 0; c < channels; c++) {
      for (int i = 0; i < kh; i++) {
        for (int j = 0; j < kw; j++, r++) {
          int plane = (c * sh + i * dh % sh) * sw + j * dw % sw;
          rows[r] = plane * hph * wph + i * dh / sh * wph + j * dw / sw;
        }
      }
    }
    return rows;
  }

  /**
   * Row (c, x, y) of a strided conv's input gradient for one phase plane: dy (channels × hz × wz,
   * in a zero border) read from row {@code row0 − rowShifts[x]}, column {@code col0 − colShifts[y]}
   * of channel c, where (row0, col0) is the plane's first computed pixel plus the border.
   */
  public static int[] transposedPhase(int channels, int hz, int wz, int row0, int col0, int[] rowShifts, int[] colShifts) {
    int[] rows = new int[channels * rowShifts.length * colShifts.length];
    for (int c = 0, r = 0; c < channels; c++) {
      for (int u : rowShifts) {
        for (int v : colShifts) rows[r++] = c * hz * wz + (row0 - u) * wz + col0 - v;
      }
    }
    return rows;
  }

  /** {0, ld, 2·ld, …}: the rows of a plain row-major matrix, for the products that take a table. */
  public static int[] spaced(int count, int ld) {
    int[] rows = new int[count];
    for (int r = 0; r < count; r++) rows[r] = r * ld;
    return rows;
  }
}
