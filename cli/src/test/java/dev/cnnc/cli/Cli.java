// Test helpers: run the CLI in-process and capture its streams; find the repository and the data.
package dev.cnnc.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

final class Cli {
  private Cli() {}

  /** What one run printed, and its exit code. */
  record Result(int exit, String out, String err) {
    /** The last line of stdout as JSON (train prints exactly one). */
    JsonObject json() {
      List<String> lines = out.lines().toList();
      return JsonParser.parseString(lines.get(lines.size() - 1)).getAsJsonObject();
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }

  static Result run(Host host, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter errWriter = new PrintWriter(err, true);
    Host h = new Host(host.env(), host.workDir(), host.home(), host.interactive(), host.stdin(),
        Host.printStream(errWriter));
    int exit = Main.run(args, new PrintWriter(out, true), errWriter, h);
    return new Result(exit, out.toString(), err.toString());
  }

  /** The repository root (surefire sets cnnc.repo), found by its examples/ folder. */
  static Path repo() {
    String p = System.getProperty("cnnc.repo");
    Path dir = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("examples"))) dir = dir.getParent();
    if (dir == null) throw new IllegalStateException("cannot find the repository's examples/ folder");
    return dir;
  }

  static Path example(String name) {
    return repo().resolve("examples").resolve(name);
  }

  /** CIFAR-10 from $CNNC_DATA or ../shared/data beside the repository; the test is skipped without it. */
  static Path data() {
    String env = System.getenv("CNNC_DATA");
    Path dir = env != null && !env.isBlank() ? Path.of(env)
        : repo().resolve("../shared/data/cifar-10-batches-bin").normalize();
    if (Files.isDirectory(dir.resolve("cifar-10-batches-bin"))) dir = dir.resolve("cifar-10-batches-bin");
    assumeTrue(Files.isRegularFile(dir.resolve("test_batch.bin")), "CIFAR-10 not found at " + dir + "; set CNNC_DATA");
    return dir;
  }

  /** A small, fast network with a batch norm (so checkpoints hold buffers too), written to {@code dir}. */
  static Path tinySpec(Path dir, String trainSection) throws java.io.IOException {
    Path f = dir.resolve("tiny.cnn");
    Files.writeString(f, """
        network Tiny {
          input 3x32x32
          conv1: conv(3, 8, k3, s2, p1) -> bn -> relu -> pool    # 8×8×8
          -> flatten
          fc: fc(512, 10)
        }
        """ + trainSection);
    return f;
  }
}
