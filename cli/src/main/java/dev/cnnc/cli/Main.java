// The `cnnc` command: subcommands, exit codes, and the promise that no stack trace reaches a user.
package dev.cnnc.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "cnnc",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A compiler for convolutional networks: checks .cnn specs, generates code, trains on CIFAR-10.",
    subcommands = {CheckCommand.class, SummaryCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Exit codes: 0 success, 1 the spec or data has errors, 2 bad usage, 3 internal error."})
public final class Main {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int INTERNAL = 3;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI with the given streams; returns the exit code. Tests call this directly. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Main());
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
