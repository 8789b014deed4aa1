// The `cnnc` command: subcommands, exit codes, and the promise that no stack trace reaches a user.
package dev.cnnc.cli;

import dev.cnnc.runtime.CnncException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "cnnc",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A compiler for convolutional networks: checks .cnn specs, generates code, trains on CIFAR-10.",
    subcommands = {CheckCommand.class, SummaryCommand.class, CompileCommand.class, TrainCommand.class,
        EvalCommand.class, PredictCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Exit codes: 0 success, 1 the spec or data has errors, 2 bad usage, 3 internal error."})
public final class Main {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int INTERNAL = 3;

  /** The machine the commands run on; subcommands reach it through {@code @ParentCommand}. */
  final Host host;

  private Main(Host host) {
    this.host = host;
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true), Host.system()));
  }

  /**
   * Runs the CLI with the given streams and nobody at the keyboard; returns the exit code. Tests
   * call this directly.
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return run(args, out, err, Host.nonInteractive(err));
  }

  static int run(String[] args, PrintWriter out, PrintWriter err, Host host) {
    CommandLine cli = new CommandLine(new Main(host));
    cli.setOut(out);
    cli.setErr(err);
    // Parse errors (an unknown option, a missing file argument, no command) are bad usage.
    cli.setExitCodeExceptionMapper(e -> e instanceof UserError u ? u.exitCode
        : e instanceof CommandLine.ParameterException ? USAGE : INTERNAL);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof UserError u) {
        commandLine.getErr().println("cnnc: " + u.getMessage());
        return u.exitCode;
      }
      if (e instanceof CnncException c) { // bad data, a damaged checkpoint, a full disk, NaN loss
        commandLine.getErr().println("cnnc: " + c.getMessage());
        return FAILED;
      }
      commandLine.getErr().println("cnnc: internal error: " + e);
      if (System.getenv("CNNC_DEBUG") != null) e.printStackTrace(commandLine.getErr());
      else commandLine.getErr().println("This is a bug in cnnc; rerun with CNNC_DEBUG=1 for details and report it.");
      return INTERNAL;
    });
    return cli.execute(args);
  }

  /** A problem the user can fix (a missing file, bad data); printed as one line, no trace. */
  public static final class UserError extends RuntimeException {
    final int exitCode;

    public UserError(int exitCode, String message) {
      super(message);
      this.exitCode = exitCode;
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"cnnc " + (v == null ? "development build" : v)};
    }
  }
}
