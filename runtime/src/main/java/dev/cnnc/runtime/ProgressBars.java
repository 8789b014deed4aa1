// Progress bars that behave both in a terminal (one redrawn line) and in logs (a plain line now and then).
package dev.cnnc.runtime;

import java.io.PrintStream;
import java.text.DecimalFormat;
import java.time.temporal.ChronoUnit;
import java.util.function.Consumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Builds progress bars; when the output is not a terminal, '\r' redraws would litter the log. */
public final class ProgressBars {
  /** How often a bar writing to a log (not a terminal) prints a line. */
  static final int LOG_INTERVAL_MS = 15_000;

  private ProgressBars() {}

  /**
   * True when {@code out} is the process's stdout or stderr and a terminal is attached. Commands
   * whose stdout carries results (`cnnc train` prints JSON there) draw their bars on stderr.
   */
  public static boolean isTerminal(PrintStream out) {
    return (out == System.out || out == System.err) && System.console() != null;
  }

  /**
   * A bar over {@code max} units (-1 when unknown) shown on {@code out}, with speed and time left.
   *
   * @param unit shown after counts and speeds, e.g. "img" or "MiB"
   * @param unitSize how many steps make one unit (1 for images, 2^20 for MiB of bytes)
   */
  public static ProgressBar create(PrintStream out, String task, long max, String unit, long unitSize) {
    ProgressBarBuilder b = new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(max)
        .setUnit(" " + unit, unitSize)
        .showSpeed(new DecimalFormat(unitSize == 1 ? "#" : "#.#"))
        .setSpeedUnit(ChronoUnit.SECONDS);
    if (isTerminal(out)) {
      b.setStyle(ProgressBarStyle.UNICODE_BLOCK).setConsumer(new ConsoleProgressBarConsumer(out));
    } else {
      b.setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(LOG_INTERVAL_MS)
          .setConsumer(new DelegatingProgressBarConsumer(new LineLog(out), 100));
    }
    return b.build();
  }

  /** Prints each rendering on its own line, skipping repeats (closing a bar renders it again). */
  private static final class LineLog implements Consumer<String> {
    private final PrintStream out;
    private String last;

    LineLog(PrintStream out) {
      this.out = out;
    }

    @Override
    public void accept(String line) {
      if (line.equals(last)) return;
      last = line;
      out.println(line);
    }
  }
}
