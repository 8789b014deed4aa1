// The thread pool's contract: chunk bounds depend only on the range and the chunk count, every
// chunk runs exactly once, a busy thread's chunks go to the free ones, and failures come back.
package dev.cnnc.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
  @Test
  void everyChunkRunsOnceWithTheSameBoundsOnAnyThreadCount() {
    for (int threads : new int[] {1, 2, 3, 5}) {
      Parallel pool = new Parallel(threads);
      for (int count : new int[] {1, 7, 8, 13, 64}) {
        int chunks = Math.min(8, count);
        AtomicIntegerArray seen = new AtomicIntegerArray(count);
        int[] los = new int[chunks], his = new int[chunks];
        pool.run(count, 8, (t, c, lo, hi) -> {
          assertTrue(t >= 0 && t < threads, "thread index " + t);
          los[c] = lo;
          his[c] = hi;
          for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
        });
        for (int i = 0; i < count; i++) assertEquals(1, seen.get(i), "element " + i + " of " + count + " on " + threads + " threads");
        for (int c = 0; c < chunks; c++) {
          assertEquals(Parallel.lo(c, count, chunks), los[c]);
          assertEquals(Parallel.lo(c + 1, count, chunks), his[c]);
        }
      }
    }
  }

  @Test
  void aBusyThreadsChunksGoToTheFreeOne() throws InterruptedException {
    Parallel pool = new Parallel(2);
    int chunks = 8;
    AtomicInteger byOthers = new AtomicInteger();
    CountDownLatch othersDone = new CountDownLatch(1);
    int[] byCaller = new int[1];
    boolean[] released = new boolean[1];
    // The calling thread (t = 0) blocks in its first chunk until the worker has run all the others:
    // with a static half each, it would wait for chunks nobody takes, and time out.
    pool.run(64, chunks, (t, c, lo, hi) -> {
      if (t == 0) {
        byCaller[0]++;
        try {
          released[0] = othersDone.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      } else if (byOthers.incrementAndGet() == chunks - 1) {
        othersDone.countDown();
      }
    });
    assertTrue(released[0], "the worker should have taken the chunks the busy caller could not");
    assertEquals(1, byCaller[0]);
    assertEquals(chunks - 1, byOthers.get());
  }

  @Test
  void aFailureInAnyChunkIsThrownAndThePoolStillWorks() {
    Parallel pool = new Parallel(2);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run(16, 8, (t, c, lo, hi) -> {
      if (c == 5) throw new IllegalStateException("chunk 5 failed");
    }));
    assertEquals("chunk 5 failed", e.getMessage());
    int[] sums = new int[8];
    pool.run(16, 8, (t, c, lo, hi) -> sums[c] = lo + hi);
    assertArrayEquals(new int[] {2, 6, 10, 14, 18, 22, 26, 30}, sums);
  }
}
