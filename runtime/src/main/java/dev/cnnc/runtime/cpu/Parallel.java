// A small fixed thread pool for generated kernels. A range is cut into chunks whose bounds depend
// only on the range and the chunk count, never on the threads; the threads take chunks as they
// come free, so a core slowed by a busy neighbour takes fewer. Whatever a chunk accumulates goes
// into its own buffer (indexed by the chunk, not the thread), so results are the same from run to
// run whichever thread ran which chunk.
package dev.cnnc.runtime.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

public final class Parallel {
  /** One chunk of work: thread {@code t} (for its scratch arrays) handles chunk {@code chunk} = [lo, hi). */
  @FunctionalInterface
  public interface Kernel {
    void run(int t, int chunk, int lo, int hi);
  }

  /**
   * How long a waiting thread spins before it parks. Waking a parked thread took long enough here
   * (a shared VM) that ResNet-20 training lost 20–30% when threads parked after ~1 ms of spinning:
   * a step has ~100 launches and some gaps between them (the loss, the optimizer) are longer.
   * Spinning for up to 50 ms keeps the workers awake through a step; idle pools still park.
   */
  private static final long SPIN_NANOS = Long.getLong("cnnc.spinMicros", 50_000) * 1_000;

  private final int threads;
  private final Thread[] workers;
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicInteger next = new AtomicInteger();
  private volatile Kernel task;
  private volatile int count;
  private volatile int chunks;
  private volatile long generation;
  private volatile Throwable failure;
  private volatile Thread caller;

  public Parallel(int threads) {
    if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    this.threads = threads;
    this.workers = new Thread[threads - 1];
    for (int i = 1; i < threads; i++) {
      int t = i;
      Thread w = new Thread(() -> work(t), "cnnc-worker-" + t);
      w.setDaemon(true);
      workers[i - 1] = w;
      w.start();
    }
  }

  public int threads() {
    return threads;
  }

  /** Where chunk c of [0, count) cut into {@code chunks} parts starts. */
  public static int lo(int c, int count, int chunks) {
    return (int) ((long) count * c / chunks);
  }

  /**
   * Runs {@code kernel} on every chunk of [0, count) cut into {@code chunks} parts (at most
   * {@code count}), on all threads, and returns when every chunk is done. With one thread the
   * chunks run in order.
   */
  public void run(int count, int chunks, Kernel kernel) {
    int parts = Math.max(1, Math.min(chunks, count));
    if (threads == 1 || parts == 1) {
      for (int c = 0; c < parts; c++) kernel.run(0, c, lo(c, count, parts), lo(c + 1, count, parts));
      return;
    }
    this.task = kernel;
    this.count = count;
    this.chunks = parts;
    this.failure = null;
    this.caller = Thread.currentThread();
    next.set(0);
    pending.set(threads - 1);
    generation++;
    for (Thread w : workers) LockSupport.unpark(w);
    Throwable own = null;
    try {
      take(0, kernel, count, parts);
    } catch (Throwable e) {
      own = e;
      next.set(parts);
    }
    long since = System.nanoTime();
    int spins = 0;
    while (pending.get() > 0) {
      if ((++spins & 255) != 0 || System.nanoTime() - since < SPIN_NANOS) Thread.onSpinWait();
      else LockSupport.parkNanos(this, 50_000);
    }
    Throwable f = own != null ? own : failure;
    if (f instanceof RuntimeException r) throw r;
    if (f instanceof Error e) throw e;
    if (f != null) throw new IllegalStateException(f);
  }

  /** Runs chunks as thread t until none is left. */
  private void take(int t, Kernel kernel, int count, int parts) {
    for (int c; (c = next.getAndIncrement()) < parts; ) kernel.run(t, c, lo(c, count, parts), lo(c + 1, count, parts));
  }

  private void work(int t) {
    long seen = 0;
    while (true) {
      long since = System.nanoTime();
      int spins = 0;
      while (generation == seen) {
        if ((++spins & 255) != 0 || System.nanoTime() - since < SPIN_NANOS) Thread.onSpinWait();
        else LockSupport.park(this);
      }
      seen = generation;
      int parts = chunks;
      try {
        take(t, task, count, parts);
      } catch (Throwable e) {
        failure = e;
        next.set(parts);
      }
      if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
    }
  }
}
