// Row-block moves between the GEMMs' "wide" layouts and the activations' dense planes: rows of a few
// dozen floats, which C2's loop code moved 2–5× slower than System.arraycopy, explicit vectors or
// a gather do (one core, a 16-channel 32×32 image).
package dev.cnnc.runtime.cpu;

import java.util.Objects;

/**
 * Every entry point checks its ranges before the kernels run, so the kernels stay in bounds when
 * the Vector API's own per-load checks are turned off (see {@link Gemm}).
 */
public final class Blocks {
  /** The strategy behind the static calls, chosen once. */
  interface Impl {
    void addRows(float[] src, int from, int ldFrom, float[] dst, int to, int ldTo, int rows, int cols);

    void gatherChannels(float[] src, int from, int plane, int ldFrom, float[] dst, int to, int ldTo, int channels,
        int rows, int cols);
  }

  static final Impl IMPL = choose();

  private Blocks() {}

  private static Impl choose() {
    if (Gemm.strategy().startsWith("vector")) {
      try {
        return (Impl) Class.forName("dev.cnnc.runtime.cpu.VectorBlocks").getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException | LinkageError e) {
        // fall through to the portable loops
      }
    }
    return new ScalarBlocks();
  }

  /** dst[to + r·ldTo + j] = src[from + r·ldFrom + j] for r < rows, j < cols: a wide layout's valid columns. */
  public static void copyRows(float[] src, int from, int ldFrom, float[] dst, int to, int ldTo, int rows, int cols) {
    checkRows(src, from, ldFrom, rows, cols);
    checkRows(dst, to, ldTo, rows, cols);
    for (int r = 0; r < rows; r++) System.arraycopy(src, from + r * ldFrom, dst, to + r * ldTo, cols);
  }

  /** dst[to + r·ldTo + j] += src[from + r·ldFrom + j] for r < rows, j < cols. */
  public static void addRows(float[] src, int from, int ldFrom, float[] dst, int to, int ldTo, int rows, int cols) {
    checkRows(src, from, ldFrom, rows, cols);
    checkRows(dst, to, ldTo, rows, cols);
    IMPL.addRows(src, from, ldFrom, dst, to, ldTo, rows, cols);
  }

  /**
   * Channels-last from channels-first: dst[to + (r·ldTo + j)·channels + ch] = src[from + ch·plane +
   * r·ldFrom + j] for ch < channels, r < rows, j < cols. A conv's dyᵀ in the wide layout (rows of
   * ldTo pixels, the ones past cols left as they are).
   */
  public static void gatherChannels(float[] src, int from, int plane, int ldFrom, float[] dst, int to, int ldTo,
      int channels, int rows, int cols) {
    if (channels <= 0 || rows <= 0 || cols <= 0) return;
    if (plane < 0 || ldFrom < 0 || ldTo < cols) {
      throw new IllegalArgumentException("plane " + plane + ", ldFrom " + ldFrom + ", ldTo " + ldTo + " for " + cols + " columns");
    }
    checkRows(src, from, plane, channels, (rows - 1) * ldFrom + cols);
    checkRows(dst, to, ldTo * channels, rows, cols * channels);
    IMPL.gatherChannels(src, from, plane, ldFrom, dst, to, ldTo, channels, rows, cols);
  }

  /** Rows off + r·ld, r < rows, of {@code length} floats lie inside {@code array}. */
  private static void checkRows(float[] array, int off, int ld, int rows, int length) {
    if (rows <= 0 || length <= 0) return;
    long last = off + (long) (rows - 1) * ld;
    if (off < 0 || ld < 0 || last + length > array.length) {
      throw new IndexOutOfBoundsException(rows + " rows of " + length + " from " + off + " every " + ld
          + " in an array of " + array.length);
    }
  }

  static final class ScalarBlocks implements Impl {
    @Override
    public void addRows(float[] src, int from, int ldFrom, float[] dst, int to, int ldTo, int rows, int cols) {
      for (int r = 0; r < rows; r++) {
        final int s = from + r * ldFrom, d = to + r * ldTo;
        for (int j = 0; j < cols; j++) dst[d + j] += src[s + j];
      }
    }

    @Override
    public void gatherChannels(float[] src, int from, int plane, int ldFrom, float[] dst, int to, int ldTo,
        int channels, int rows, int cols) {
      // 16 pixels of every channel at a time, so both sides stay in cache: reading whole planes, or
      // every channel of one pixel (4 KB apart at 32×32), took a 16×32×32 transpose 17–25 µs, this 9–11
      for (int r = 0; r < rows; r++) {
        for (int j0 = 0; j0 < cols; j0 += 16) {
          final int j1 = Math.min(cols, j0 + 16);
          for (int ch = 0; ch < channels; ch++) {
            final int s = from + ch * plane + r * ldFrom, d = to + r * ldTo * channels + ch;
            for (int j = j0; j < j1; j++) dst[d + j * channels] = src[s + j];
          }
        }
      }
    }
  }
}
