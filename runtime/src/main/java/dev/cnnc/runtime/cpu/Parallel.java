// A small fixed thread pool for generated kernels: splits a range into one static chunk per
// thread, so results are the same from run to run for a given thread count.
package dev.cnnc.runtime.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

public final class Parallel {
  /** One chunk of work: thread index {@code t} handles {@code [lo, hi)}. */
  @FunctionalInterface
  public interface Kernel {
    void run(int t, int lo, int hi);
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
  private volatile Kernel task;
  private volatile int count;
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

  /** Chunk t of [0, count) split into {@code threads} parts. */
  public static int lo(int t, int count, int threads) {
    return (int) ((long) count * t / threads);
  }

  /** Runs {@code kernel} over [0, count) on all threads and returns when every chunk is done. */
  public void run(int count, Kernel kernel) {
    if (threads == 1 || count < 2) {
      kernel.run(0, 0, count);
      return;
    }
    this.task = kernel;
    this.count = count;
    this.failure = null;
    this.caller = Thread.currentThread();
    pending.set(threads - 1);
    generation++;
    for (Thread w : workers) LockSupport.unpark(w);
    Throwable own = null;
    try {
      kernel.run(0, 0, lo(1, count, threads));
    } catch (Throwable e) {
      own = e;
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
      int n = count;
      try {
        task.run(t, lo(t, n, threads), lo(t + 1, n, threads));
      } catch (Throwable e) {
        failure = e;
      }
      if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
    }
  }
}
