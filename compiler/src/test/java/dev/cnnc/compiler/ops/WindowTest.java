// The sliding-window formulas, checked against tables worked out by hand from PyTorch's
// documented Conv2d/MaxPool2d formula, out = floor((n + 2p − d·(k − 1) − 1) / s) + 1, and
// TensorFlow's `same` rule. The last column of each table is the arithmetic, for the reader.
package dev.cnnc.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WindowTest {

  @ParameterizedTest(name = "n={0} k={1} s={2} p={3} d={4} → {5}: {6}")
  @CsvSource(delimiter = '|', textBlock = """
      # n | k  | s  | p | d | out | arithmetic
       32 |  3 |  1 | 1 | 1 |  32 | (32 + 2 − 2 − 1) / 1 + 1
       32 |  3 |  1 | 0 | 1 |  30 | (32 − 2 − 1) / 1 + 1
       32 |  5 |  1 | 0 | 1 |  28 | (32 − 4 − 1) / 1 + 1, LeNet's c1
       28 |  2 |  2 | 0 | 1 |  14 | floor(26 / 2) + 1
       32 |  3 |  2 | 1 | 1 |  16 | floor(31 / 2) + 1
       32 |  3 |  3 | 1 | 1 |  11 | floor(31 / 3) + 1
        7 |  3 |  3 | 0 | 1 |   2 | floor(4 / 3) + 1
       32 |  1 |  2 | 0 | 1 |  16 | floor(31 / 2) + 1, a 1×1 stride-2 projection
       32 |  3 |  1 | 2 | 2 |  32 | (32 + 4 − 4 − 1) / 1 + 1, dilation 2
       32 |  3 |  1 | 0 | 2 |  28 | (32 − 4 − 1) / 1 + 1
       32 |  3 |  1 | 3 | 3 |  32 | (32 + 6 − 6 − 1) / 1 + 1, dilation 3
       32 |  3 |  2 | 0 | 3 |  13 | floor(25 / 2) + 1
       32 |  2 |  1 | 0 | 1 |  31 | (32 − 1 − 1) / 1 + 1, even kernel
       32 |  4 |  2 | 1 | 1 |  16 | floor(30 / 2) + 1, even kernel
       31 |  2 |  2 | 0 | 1 |  15 | floor(29 / 2) + 1, airbench's pool on an odd size
        1 |  1 |  1 | 0 | 1 |   1 | (1 − 0 − 1) / 1 + 1
        3 |  3 |  1 | 0 | 1 |   1 | (3 − 2 − 1) / 1 + 1, exactly fits
        2 |  3 |  1 | 0 | 1 |   0 | (2 − 2 − 1) / 1 + 1, does not fit
       30 | 64 | 64 | 0 | 1 |   0 | floor(−34 / 64) + 1 = −1 + 1, does not fit
        2 |  5 |  1 | 0 | 1 |  -2 | (2 − 4 − 1) / 1 + 1
        4 |  3 |  1 | 0 | 3 |  -2 | (4 − 6 − 1) / 1 + 1
      """)
  void outputSizeFollowsTheFormula(int n, int k, int s, int p, int d, long out, String arithmetic) {
    assertEquals(out, Window.of(k, s, d, p).out(n), arithmetic);
  }

  @ParameterizedTest(name = "n={0} k={1} s={2} p={3} d={4} drops {5}: {6}")
  @CsvSource(delimiter = '|', textBlock = """
      # n | k | s | p | d | dropped | why (input rows are 0 … n − 1; padding is −p … −1 and n … n + p − 1)
       32 | 2 | 2 | 0 | 1 | 0 | windows 0–1 … 30–31 read every row
       31 | 2 | 2 | 0 | 1 | 1 | the last window is 28–29; row 30 is never read
       32 | 3 | 3 | 0 | 1 | 2 | the last window is 27–29; rows 30 and 31 are never read
       10 | 3 | 4 | 0 | 1 | 3 | windows 0–2 and 4–6; rows 7, 8 and 9 are never read
       32 | 3 | 2 | 0 | 3 | 1 | the last window reads 24, 27 and 30; row 31 is never read
       32 | 1 | 2 | 0 | 1 | 1 | windows read 0, 2 … 30; row 31 is past the last
        9 | 3 | 3 | 1 | 1 | 1 | windows start at −1, 2, 5 and end at 7: row 8 and padding row 9 dropped
        8 | 3 | 3 | 1 | 1 | 0 | windows start at −1, 2, 5 and end at 7: only padding row 8 dropped
        6 | 3 | 2 | 1 | 1 | 0 | windows start at −1, 1, 3 and end at 5: only padding row 6 dropped
        7 | 2 | 3 | 1 | 1 | 0 | windows start at −1, 2, 5 and end at 6: only padding row 7 dropped
       32 | 3 | 1 | 1 | 1 | 0 | stride 1 reads everything
      """)
  void droppedRowsCountsOnlyInputRows(int n, int k, int s, int p, int d, long dropped, String why) {
    assertEquals(dropped, Window.of(k, s, d, p).droppedRows(n), why);
  }

  @ParameterizedTest(name = "n={0} k={1} s={2} p={3} d={4}: {5}")
  @CsvSource(delimiter = '|', textBlock = """
      # n | k | s | p | d | reads | why (taps of output o start at o·s − p, d apart)
        1 | 3 | 2 | 3 | 2 | false | windows {−3, −1, 1} and {−1, 1, 3} skip row 0
        1 | 3 | 2 | 2 | 2 | true  | window {−2, 0, 2} reads row 0
        1 | 3 | 1 | 1 | 2 | false | windows {−1, 1, 3} (the only one: out = 1) skips row 0
        1 | 1 | 2 | 1 | 1 | false | windows {−1} and {1}: the stride steps over row 0
        2 | 1 | 2 | 1 | 1 | true  | window {1} reads row 1
        2 | 1 | 1 | 3 | 1 | true  | windows −3 … 4: rows 0 and 1 read, the others are padding
        3 | 3 | 1 | 1 | 1 | true  | an ordinary padded conv
        1000000000 | 3 | 1 | 1 | 1 | true | a 10⁹-row map: the first window inside is found at once
        1000000000 | 3 | 7 | 1000000000 | 1000 | true | 10⁹ rows of padding: only windows near the input are tried
      """)
  void someWindowReadsTheInput(long n, int k, int s, int p, int d, boolean reads, String why) {
    assertEquals(reads, Window.of(k, s, d, p).anyWindowReadsInput(n), why);
  }

  @ParameterizedTest(name = "same n={0} k={1} s={2} d={3}: {4} before, {5} after, out {6}: {7}")
  @CsvSource(delimiter = '|', textBlock = """
      # n | k | s | d | before | after | out | total = max((out − 1)·s + d·(k − 1) + 1 − n, 0)
       32 | 3 | 1 | 1 | 1 | 1 | 32 | 31·1 + 2 + 1 − 32 = 2
       32 | 5 | 1 | 1 | 2 | 2 | 32 | 31·1 + 4 + 1 − 32 = 4
       32 | 4 | 1 | 1 | 1 | 2 | 32 | 31·1 + 3 + 1 − 32 = 3, odd: the extra row goes after
       32 | 2 | 1 | 1 | 0 | 1 | 32 | 31·1 + 1 + 1 − 32 = 1, odd
       32 | 3 | 2 | 1 | 0 | 1 | 16 | 15·2 + 2 + 1 − 32 = 1, odd
       32 | 4 | 2 | 1 | 1 | 1 | 16 | 15·2 + 3 + 1 − 32 = 2
       32 | 2 | 2 | 1 | 0 | 0 | 16 | 15·2 + 1 + 1 − 32 = 0
       31 | 3 | 2 | 1 | 1 | 1 | 16 | 15·2 + 2 + 1 − 31 = 2
       31 | 4 | 2 | 1 | 1 | 2 | 16 | 15·2 + 3 + 1 − 31 = 3, odd
       33 | 3 | 3 | 1 | 0 | 0 | 11 | 10·3 + 2 + 1 − 33 = 0
       32 | 3 | 1 | 2 | 2 | 2 | 32 | 31·1 + 2·2 + 1 − 32 = 4
       32 | 3 | 1 | 3 | 3 | 3 | 32 | 31·1 + 3·2 + 1 − 32 = 6
       32 | 1 | 2 | 1 | 0 | 0 | 16 | 15·2 + 0 + 1 − 32 = −1, so 0
        5 | 5 | 1 | 1 | 2 | 2 |  5 | 4·1 + 4 + 1 − 5 = 4
        1 | 3 | 2 | 1 | 1 | 1 |  1 | 0·2 + 2 + 1 − 1 = 2
        7 | 2 | 2 | 1 | 0 | 1 |  4 | 3·2 + 1 + 1 − 7 = 1, odd
      """)
  void samePadsPerSide(int n, int k, int s, int d, int before, int after, long out, String total) {
    Window w = Window.same(n, k, s, d);
    assertEquals(before, w.padBefore(), "padding before (top/left): " + total);
    assertEquals(after, w.padAfter(), "padding after (bottom/right): " + total);
    assertEquals(out, w.out(n), "same gives ceil(n / s)");
    assertEquals(before == after, w.symmetric());
  }

  @ParameterizedTest(name = "same n={0} k={1} s={2} d={3} reads every row")
  @CsvSource({"32, 3, 1, 1", "32, 4, 2, 1", "31, 3, 2, 1", "15, 2, 2, 1", "7, 3, 3, 2", "32, 2, 1, 1"})
  void sameReadsEveryRowWhenTheWindowCoversTheStride(int n, int k, int s, int d) {
    assertEquals(0, Window.same(n, k, s, d).droppedRows(n));
  }

  @ParameterizedTest(name = "valid n={0} k={1} s={2} → {3}")
  @CsvSource({"32, 3, 1, 30", "32, 2, 2, 16", "5, 5, 1, 1", "31, 2, 2, 15"})
  void validIsNoPadding(int n, int k, int s, long out) {
    Window w = Window.of(k, s, 1, 0);
    assertEquals(0, w.padBefore());
    assertEquals(0, w.padAfter());
    assertEquals(out, w.out(n));
  }

  @ParameterizedTest(name = "extent of k={0} d={1} is {2}")
  @CsvSource({"3, 1, 3", "3, 2, 5", "3, 3, 7", "1, 5, 1", "2, 2, 3"})
  void extentIsTheDilatedKernel(int k, int d, long extent) {
    assertEquals(extent, Window.of(k, 1, d, 0).extent());
  }

  @ParameterizedTest(name = "{4}")
  @CsvSource(delimiter = '|', value = {
      "32 | 3 | 1 | 1 | floor((32 + 2·1 − 1·(3 − 1) − 1) / 1) + 1 = 32",
      "31 | 2 | 2 | 0 | floor((31 + 2·0 − 1·(2 − 1) − 1) / 2) + 1 = 15",
      "30 | 64 | 64 | 0 | floor((30 + 2·0 − 1·(64 − 1) − 1) / 64) + 1 = 0"})
  void arithmeticShowsTheNumbers(int n, int k, int s, int p, String text) {
    assertEquals(text, Window.of(k, s, 1, p).arithmetic(n));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {"floor((32 + 1 + 2 − 1·(4 − 1) − 1) / 1) + 1 = 32"})
  void asymmetricArithmeticShowsBothSides(String text) {
    assertEquals(text, Window.same(32, 4, 1, 1).arithmetic(32));
  }

  @ParameterizedTest(name = "n={0} k={1} s={2} p={3}: gap {4}, drops beyond it: {5}")
  @CsvSource(delimiter = '|', textBlock = """
      # n | k | s | p | gap | drops | why
       32 | 1 | 2 | 0 |  1  | false | rows 0, 2 … 30: row 31 is skipped like every odd row
       31 | 1 | 2 | 0 |  1  | false | rows 0, 2 … 30 read; nothing after the last window
       16 | 2 | 3 | 0 |  1  | true  | windows 0–1 … 12–13: rows 14, 15 dropped, one more than the gap
       10 | 3 | 4 | 0 |  1  | true  | windows 0–2, 4–6: rows 7, 8, 9 dropped
       31 | 2 | 2 | 0 |  0  | true  | row 30 dropped
       32 | 2 | 2 | 0 |  0  | false | tiles
      """)
  void onlyRowsBeyondTheGapBetweenWindowsCountAsDropped(int n, int k, int s, int p, long gap, boolean drops, String why) {
    Window w = Window.of(k, s, 1, p);
    assertEquals(gap, w.gap(), why);
    assertEquals(drops, w.dropsRows(n), why);
  }

  @ParameterizedTest(name = "n={0} k={1} s={2} p={3} d={4}: first empty window {5} ({6})")
  @CsvSource(delimiter = '|', textBlock = """
      # n | k | s | p | d | empty | why
        4 | 2 | 1 | 1 | 1 |    -1 | taps −1..0 read row 0
        4 | 2 | 1 | 2 | 1 |     0 | taps −2..−1: padding only
        4 | 3 | 2 | 1 | 1 |    -1 | the ImageNet stem pool
        4 | 2 | 2 | 2 | 1 |     0 | a stride does not save the first window
        5 | 2 | 3 | 0 | 1 |    -1 | windows with gaps between them still start inside
        4 | 1 | 1 | 1 | 1 |     0 | a 1-wide window on the padding
        2 | 2 | 1 | 3 | 4 |     1 | taps −2 and 2 straddle rows 0..1
      """)
  void emptyWindowsAreFound(int n, int k, int s, int p, int d, long empty, String why) {
    assertEquals(empty, Window.of(k, s, d, p).emptyWindow(n), why);
  }

  @ParameterizedTest(name = "n={0} k={1} s={2} p={3} d={4}: windows inside from {5} to {6}")
  @CsvSource(delimiter = '|', textBlock = """
      # n | k | s | p | d | first | end | why
       64 | 3 | 2 | 1 | 1 |     1 |  32 | output 0 reads row −1; output 31 reads rows 61..63
        8 | 3 | 1 | 1 | 1 |     1 |   7 | one padded row each side
        2 | 3 | 1 | 1 | 1 |     1 |   1 | output 0 starts in the padding, output 1 ends in it: [1, 1) is empty
       11 | 3 | 2 | 2 | 2 |     1 |   5 | dilated: output 4 reads rows 6, 8, 10; output 5 would read 12
       10 | 2 | 3 | 0 | 1 |     0 |   3 | no padding: outputs 0..2 (rows 0..7)
      """)
  void windowsInsideTheInputAreFound(int n, int k, int s, int p, int d, long first, long end, String why) {
    Window w = Window.of(k, s, d, p);
    assertEquals(first, w.firstInside(), why);
    assertEquals(end, w.endInside(n), why);
  }

  @org.junit.jupiter.api.Test
  void aWindowPastTheEndIsFoundToo() {
    assertEquals(4, new Window(2, 1, 1, 0, 2).emptyWindow(4), "output 4 starts at row 4 of a 4-row input");
    assertEquals(-1, new Window(2, 1, 1, 0, 1).emptyWindow(4));
    assertEquals(-1, Window.of(2, 2, 1, 1).emptyWindow(2_000_000_000L), "10⁹ + 1 windows, answered at once");
  }
}
