// What the commands need from the machine they run on (environment, home, terminal, stdin),
// gathered in one place so tests can run the CLI against a fake one.
package dev.cnnc.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * @param env looks up environment variables
 * @param workDir the directory relative data paths are searched from
 * @param home the user's home (~/.cache/cnnc lives under it)
 * @param interactive whether a person can answer questions on {@code stdin}
 * @param stdin answers to questions
 * @param progress where progress bars and per-epoch lines go (the process's stderr)
 */
record Host(Function<String, String> env, Path workDir, Path home, boolean interactive,
    BufferedReader stdin, PrintStream progress) {

  /** The real machine. Java 17 only says whether stdin and stdout are both terminals. */
  static Host system() {
    return new Host(System::getenv, Path.of("").toAbsolutePath(), Path.of(System.getProperty("user.home")),
        System.console() != null, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
        System.err);
  }

  /** The system's environment and home, but progress into {@code err} and nobody at the keyboard. */
  static Host nonInteractive(PrintWriter err) {
    Host s = system();
    return new Host(s.env, s.workDir, s.home, false, new BufferedReader(new java.io.StringReader("")),
        printStream(err));
  }

  /** ~/.cache/cnnc (or $XDG_CACHE_HOME/cnnc). */
  Path cacheDir() {
    String xdg = env.apply("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".cache");
    return base.resolve("cnnc");
  }

  /** A PrintStream that hands whole UTF-8 text to {@code w} on every flush. */
  static PrintStream printStream(PrintWriter w) {
    OutputStream bytes = new OutputStream() {
      private final java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();

      @Override
      public synchronized void write(int b) {
        buffer.write(b);
      }

      @Override
      public synchronized void write(byte[] b, int off, int len) {
        buffer.write(b, off, len);
      }

      @Override
      public synchronized void flush() {
        w.write(buffer.toString(StandardCharsets.UTF_8));
        buffer.reset();
        w.flush();
      }
    };
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }
}
