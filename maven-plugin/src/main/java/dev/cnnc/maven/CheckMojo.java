// cnnc:check — shape-checks every spec; any error (any warning with strict) fails the build, after
// every diagnostic of the run is printed and a SARIF report is written for CI annotations.
package dev.cnnc.maven;

import dev.cnnc.compiler.diag.JsonRenderer;
import dev.cnnc.compiler.diag.SarifRenderer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/** Parses and shape-checks the specs, like {@code cnnc check}, and writes a SARIF report. */
@Mojo(name = "check", defaultPhase = LifecyclePhase.VALIDATE, threadSafe = true)
public class CheckMojo extends AbstractCnncMojo {
  /** The SARIF 2.1.0 report, for CI systems that annotate pull requests (GitHub code scanning and others). */
  @Parameter(property = "cnnc.sarifFile", defaultValue = "${project.build.directory}/cnnc/cnnc.sarif")
  File sarifFile;

  @Parameter(defaultValue = "${plugin.version}", readonly = true)
  String pluginVersion;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("cnnc: check skipped");
      return;
    }
    List<Path> specs = specs();
    if (specs.isEmpty()) {
      getLog().info("cnnc: no spec files in " + displayName(sourceDirectory.toPath()) + "; nothing to check");
      return;
    }
    List<Checked> checked = new ArrayList<>();
    List<JsonRenderer.FileReport> reports = new ArrayList<>();
    for (Path spec : specs) {
      Checked c = check(spec);
      checked.add(c);
      reports.add(new JsonRenderer.FileReport(c.source(), c.diagnostics()));
    }
    writeSarif(SarifRenderer.render(reports, pluginVersion == null ? "unknown" : pluginVersion));
    String summary = summary(checked);
    if (checked.stream().anyMatch(Checked::failed)) {
      throw new MojoFailureException("cnnc check: " + summary + "\nSARIF report: " + displayName(sarifFile.toPath()));
    }
    getLog().info("cnnc: checked " + summary + "; SARIF report " + displayName(sarifFile.toPath()));
  }

  private void writeSarif(String document) throws MojoExecutionException {
    try {
      Path out = sarifFile.toPath();
      if (out.getParent() != null) Files.createDirectories(out.getParent());
      Files.writeString(out, document, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new MojoExecutionException("cannot write the SARIF report " + sarifFile + ": " + e.getMessage(), e);
    }
  }
}
