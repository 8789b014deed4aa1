// `cnnc compile FILE [--target java|cuda] -o DIR`: writes the generated sources, optionally dumping the IR.
package dev.cnnc.cli;

import dev.cnnc.compiler.Pipeline;
import dev.cnnc.compiler.emit.JavaEmitter;
import dev.cnnc.compiler.emit.JavaNames;
import dev.cnnc.compiler.ir.IrPrinter;
import dev.cnnc.runtime.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "compile", description = {
    "Generate the network's training and inference code.",
    "",
    "Writes DIR/<package folders>/<Network>.java (--target cuda: DIR/<Network>.cu and DIR/<Network>.plan.json);"
        + " the same spec always gives the same bytes. --dump-ir prints the IR after every pass on stdout, or on"
        + " stderr when -o - puts the source there.",
    ""})
final class CompileCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "the spec file")
  Path file;

  @Option(names = "--target", defaultValue = "java", paramLabel = "TARGET",
      description = "java (a Java class) or cuda (a .cu translation unit and its host plan)"
          + " (default: ${DEFAULT-VALUE})")
  String target;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR",
      description = "folder for the generated sources (created if needed); '-' prints them on stdout")
  String output;

  @Option(names = "--package", defaultValue = JavaEmitter.PACKAGE, paramLabel = "P",
      description = "Java package of the generated class (default: ${DEFAULT-VALUE})")
  String packageName;

  @Option(names = "--dump-ir", description = "print the IR after every compiler pass")
  boolean dumpIr;

  @Option(names = "--strict", description = "treat warnings as errors")
  boolean strict;

  @Override
  public Integer call() {
    checkPackage(packageName);
    Targets.require(target);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean toStdout = output.equals("-");
    PrintWriter dump = toStdout ? err : out;
    Specs.Checked checked = Specs.load(file, err, strict);
    if (dumpIr) dump.print("# after check-shapes\n" + IrPrinter.print(checked.graph()));
    Pipeline.Compiled compiled = Pipeline.run(checked.graph(), dumpIr ? dump::print : text -> {});
    dump.flush();
    List<Targets.GeneratedFile> files = Targets.generate(target, compiled, checked.source(), packageName);
    for (Targets.GeneratedFile f : files) {
      if (toStdout) {
        out.print(f.text());
        continue;
      }
      Path path = Path.of(output).resolve(f.path());
      try {
        Files.createDirectories(path.getParent());
      } catch (IOException e) {
        throw new Main.UserError(Main.FAILED, "cannot create " + path.getParent() + ": " + e.getMessage());
      }
      AtomicFiles.writeString(path, f.text());
      err.println("wrote " + path);
    }
    out.flush();
    err.flush();
    return Main.OK;
  }

  /** Dotted Java identifiers, none a keyword: the package lands verbatim in generated code. */
  private static void checkPackage(String p) {
    for (String part : p.split("\\.", -1)) {
      if (part.isEmpty() || !part.equals(JavaNames.identifier(part))) {
        throw new Main.UserError(Main.USAGE, "--package '" + p + "' is not a Java package name:"
            + " use dotted identifiers such as com.example.nets, none of them a Java keyword");
      }
    }
  }
}
