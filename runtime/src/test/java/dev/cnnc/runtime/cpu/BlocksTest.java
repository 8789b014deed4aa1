// Both Blocks strategies against the definitions, on shapes with and without whole vectors, and the
// public entry points' range checks (the vector kernels run with the Vector API's own checks off).
package dev.cnnc.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BlocksTest {
  private static final List<Blocks.Impl> IMPLS = List.of(new Blocks.ScalarBlocks(), new VectorBlocks());

  /** {rows, cols, extra columns in src's rows, in dst's rows}: 32×32 planes, 8-wide ones, tails. */
  private static final int[][] ROWS = {{512, 32, 2, 0}, {32, 16, 2, 0}, {64, 8, 2, 0}, {5, 37, 3, 1}, {1, 1, 0, 0},
      {3, 17, 0, 4}};

  @Test
  void addAndCopyRowsMatchTheDefinition() {
    SplittableRandom r = new SplittableRandom(5);
    for (int[] s : ROWS) {
      int rows = s[0], cols = s[1], ldFrom = cols + s[2], ldTo = cols + s[3];
      float[] src = random(3 + rows * ldFrom, r), dst = random(7 + rows * ldTo + 2, r);
      float[] added = dst.clone(), copied = dst.clone();
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          added[7 + i * ldTo + j] += src[3 + i * ldFrom + j];
          copied[7 + i * ldTo + j] = src[3 + i * ldFrom + j];
        }
      }
      for (Blocks.Impl impl : IMPLS) {
        float[] got = dst.clone();
        impl.addRows(src, 3, ldFrom, got, 7, ldTo, rows, cols);
        assertArrayEquals(added, got, impl.getClass().getSimpleName() + " addRows " + rows + "×" + cols);
      }
      float[] got = dst.clone();
      Blocks.copyRows(src, 3, ldFrom, got, 7, ldTo, rows, cols);
      assertArrayEquals(copied, got, "copyRows " + rows + "×" + cols);
    }
  }

  /** {channels, rows, cols, ldTo}: ResNet-20's three stages in the wide layout, then odd channel counts. */
  private static final int[][] GATHERS = {{16, 32, 32, 34}, {32, 16, 16, 17}, {64, 8, 8, 10}, {6, 5, 7, 9}, {21, 3, 4, 4},
      {48, 2, 3, 5}, {1, 1, 1, 1}};

  @Test
  void gatherChannelsMatchesTheDefinitionAndLeavesTheWideColumns() {
    SplittableRandom r = new SplittableRandom(6);
    for (int[] s : GATHERS) {
      int channels = s[0], rows = s[1], cols = s[2], ldTo = s[3], ldFrom = cols + 1, plane = rows * ldFrom + 3;
      float[] src = random(5 + channels * plane, r), dst = random(2 + rows * ldTo * channels + 1, r);
      float[] expected = dst.clone();
      for (int ch = 0; ch < channels; ch++) {
        for (int i = 0; i < rows; i++) {
          for (int j = 0; j < cols; j++) expected[2 + (i * ldTo + j) * channels + ch] = src[5 + ch * plane + i * ldFrom + j];
        }
      }
      for (Blocks.Impl impl : IMPLS) {
        float[] got = dst.clone();
        impl.gatherChannels(src, 5, plane, ldFrom, got, 2, ldTo, channels, rows, cols);
        assertArrayEquals(expected, got, impl.getClass().getSimpleName() + " gatherChannels " + channels + " × " + rows + "×" + cols);
      }
      float[] got = dst.clone();
      Blocks.gatherChannels(src, 5, plane, ldFrom, got, 2, ldTo, channels, rows, cols);
      assertArrayEquals(expected, got, "Blocks.gatherChannels " + channels + " × " + rows + "×" + cols);
    }
  }

  @Test
  void rangesPastTheArraysAreRefusedBeforeAnyKernelRuns() {
    float[] a = new float[100], b = new float[100];
    assertThrows(IndexOutOfBoundsException.class, () -> Blocks.addRows(a, 0, 10, b, 5, 10, 10, 10));
    assertThrows(IndexOutOfBoundsException.class, () -> Blocks.addRows(a, 1, 10, b, 0, 10, 10, 10));
    assertThrows(IndexOutOfBoundsException.class, () -> Blocks.copyRows(a, 0, 10, b, 0, 11, 10, 10));
    assertThrows(IndexOutOfBoundsException.class, () -> Blocks.gatherChannels(a, 0, 60, 10, b, 0, 6, 2, 5, 6));
    assertThrows(IndexOutOfBoundsException.class, () -> Blocks.gatherChannels(a, 0, 40, 10, b, 0, 12, 2, 5, 5));
    assertThrows(IllegalArgumentException.class, () -> Blocks.gatherChannels(a, 0, 40, 10, b, 0, 5, 2, 5, 6));
    assertThrows(IllegalArgumentException.class, () -> Blocks.gatherChannels(a, 50, 10, -10, b, 0, 6, 2, 5, 6));
  }

  private static float[] random(int size, SplittableRandom r) {
    float[] a = new float[size];
    for (int i = 0; i < size; i++) a[i] = (float) r.nextGaussian();
    return a;
  }
}
