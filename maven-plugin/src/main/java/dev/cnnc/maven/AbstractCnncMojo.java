// What both goals share: which specs to read, checking them with the front end, and printing the
// diagnostics in cnnc's own text format so a build log reads like `cnnc check`.
package dev.cnnc.maven;

import dev.cnnc.compiler.Frontend;
import dev.cnnc.compiler.diag.Diagnostic;
import dev.cnnc.compiler.diag.Severity;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.diag.TextRenderer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

abstract class AbstractCnncMojo extends AbstractMojo {
  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  MavenProject project;

  /** Where the {@code .cnn} specs are. */
  @Parameter(property = "cnnc.sourceDirectory", defaultValue = "${project.basedir}/src/main/cnn")
  File sourceDirectory;

  /** Ant-style patterns, relative to {@code sourceDirectory}, of the specs to use; {@code **}{@code /*.cnn} if none. */
  @Parameter
  List<String> includes;

  /** Ant-style patterns of specs to leave out. */
  @Parameter
  List<String> excludes;

  /** Treat warnings (asymmetric padding, windows that drop rows) as errors, like {@code cnnc check --strict}. */
  @Parameter(property = "cnnc.strict", defaultValue = "false")
  boolean strict;

  /**
   * Diagnostics and the SARIF report name spec files relative to this directory: where Maven was
   * started, which in CI is the repository root that code-scanning tools resolve paths against.
   */
  @Parameter(property = "cnnc.pathsRelativeTo", defaultValue = "${session.executionRootDirectory}")
  File pathsRelativeTo;

  /** Skip this goal. */
  @Parameter(property = "cnnc.skip", defaultValue = "false")
  boolean skip;

  /** One spec and what the front end found in it. */
  record Checked(SourceFile source, Frontend.Result result, List<Diagnostic> diagnostics) {
    boolean failed() {
      return diagnostics.stream().anyMatch(Diagnostic::isError);
    }
  }

  /** The specs to work on, sorted. */
  List<Path> specs() throws MojoExecutionException {
    try {
      return SpecFiles.scan(sourceDirectory.toPath(), includes, excludes);
    } catch (IOException e) {
      throw new MojoExecutionException("cannot list the specs in " + sourceDirectory + ": " + e.getMessage(), e);
    }
  }

  /** Reads and checks one spec, and prints what was found. */
  Checked check(Path file) throws MojoFailureException {
    return check(file, read(file));
  }

  String read(Path file) throws MojoFailureException {
    try {
      return SpecFiles.read(file);
    } catch (IOException e) {
      throw new MojoFailureException("cannot read " + displayName(file) + ": " + e.getMessage(), e);
    }
  }

  /** Checks one spec's text, and prints what was found. */
  Checked check(Path file, String text) {
    SourceFile source = new SourceFile(displayName(file), text);
    Frontend.Result result = Frontend.check(source);
    List<Diagnostic> found = strict(result.diagnostics().sorted());
    for (Diagnostic d : found) {
      String rendered = TextRenderer.render(source, d).stripTrailing();
      if (d.isError()) getLog().error(rendered);
      else getLog().warn(rendered);
    }
    return new Checked(source, result, found);
  }

  /** The name diagnostics use: relative to {@link #pathsRelativeTo} when the file lies below it. */
  String displayName(Path file) {
    Path abs = file.toAbsolutePath().normalize();
    if (pathsRelativeTo != null) {
      Path base = pathsRelativeTo.toPath().toAbsolutePath().normalize();
      if (abs.startsWith(base)) return base.relativize(abs).toString().replace('\\', '/');
    }
    return abs.toString().replace('\\', '/');
  }

  private List<Diagnostic> strict(List<Diagnostic> diagnostics) {
    if (!strict) return diagnostics;
    List<Diagnostic> out = new ArrayList<>();
    for (Diagnostic d : diagnostics) {
      out.add(d.severity() == Severity.WARNING
          ? new Diagnostic(Severity.ERROR, d.code(), d.file(), d.span(), d.message() + " (strict)", d.help())
          : d);
    }
    return out;
  }

  /** "3 spec files: 1 error, 2 warnings" and, when something failed, each error's first line. */
  static String summary(List<Checked> checked) {
    int errors = 0;
    int warnings = 0;
    StringBuilder firstLines = new StringBuilder();
    for (Checked c : checked) {
      for (Diagnostic d : c.diagnostics()) {
        if (d.isError()) {
          errors++;
          firstLines.append("\n  ").append(TextRenderer.render(c.source(), d).lines().findFirst().orElse(""));
        } else {
          warnings++;
        }
      }
    }
    return checked.size() + (checked.size() == 1 ? " spec file: " : " spec files: ")
        + TextRenderer.tally(errors, warnings) + firstLines;
  }
}
