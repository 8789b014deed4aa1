// cnnc:check: every diagnostic of the run in the text format, a SARIF report, and a failed build on
// any error (and on warnings with strict).
package dev.cnnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckMojoTest {
  private final RecordingLog log = new RecordingLog();

  private CheckMojo mojo(Path base) {
    CheckMojo m = new CheckMojo();
    m.project = new MavenProject();
    m.sourceDirectory = base.resolve("src/main/cnn").toFile();
    m.pathsRelativeTo = base.toFile();
    m.sarifFile = base.resolve("target/cnnc/cnnc.sarif").toFile();
    m.pluginVersion = "9.9";
    m.setLog(log);
    return m;
  }

  private static JsonObject sarif(Path base) throws Exception {
    return JsonParser.parseString(Files.readString(base.resolve("target/cnnc/cnnc.sarif"))).getAsJsonObject();
  }

  @Test
  void cleanSpecsPassAndStillWriteAReport(@TempDir Path base) throws Exception {
    Specs.write(base, "src/main/cnn/tiny.cnn", Specs.TINY);
    mojo(base).execute();
    assertTrue(log.text().contains("[INFO] cnnc: checked 1 spec file: no problems"), log.text());
    JsonObject run = sarif(base).getAsJsonArray("runs").get(0).getAsJsonObject();
    assertEquals(0, run.getAsJsonArray("results").size());
    assertEquals("9.9", run.getAsJsonObject("tool").getAsJsonObject("driver").get("version").getAsString());
  }

  @Test
  void anErrorFailsTheBuildAfterPrintingEveryDiagnostic(@TempDir Path base) throws Exception {
    Specs.write(base, "src/main/cnn/a_odd.cnn", Specs.WARNING);
    Specs.write(base, "src/main/cnn/b_bug.cnn", Specs.BUG);
    Specs.write(base, "src/main/cnn/c_tiny.cnn", Specs.TINY);
    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo(base).execute());
    assertTrue(e.getMessage().contains("3 spec files: 1 error, 1 warning"), e.getMessage());
    assertTrue(e.getMessage().contains(
        "src/main/cnn/b_bug.cnn:6:8: error: `fc1` expects 8192 input features, but its input has 2048"), e.getMessage());
    String printed = log.text();
    assertTrue(printed.contains("[ERROR] src/main/cnn/b_bug.cnn:6:8: error: `fc1` expects 8192 input features"), printed);
    assertTrue(printed.contains(" 6 |   fc1: fc(8192, 512) -> relu\n   |        ^^^^^^^^^^^^^\n"), printed);
    assertTrue(printed.contains("  help: write `fc(2048, 512)`, or `fc(512)` to infer the input size"), printed);
    assertTrue(printed.contains("[WARNING] src/main/cnn/a_odd.cnn:3:33: warning:"), printed);
    JsonObject result = sarif(base).getAsJsonArray("runs").get(0).getAsJsonObject().getAsJsonArray("results")
        .asList().stream().map(r -> r.getAsJsonObject()).filter(r -> r.get("level").getAsString().equals("error"))
        .findFirst().orElseThrow();
    JsonObject location = result.getAsJsonArray("locations").get(0).getAsJsonObject().getAsJsonObject("physicalLocation");
    assertEquals("src/main/cnn/b_bug.cnn", location.getAsJsonObject("artifactLocation").get("uri").getAsString());
    assertEquals(6, location.getAsJsonObject("region").get("startLine").getAsInt());
    assertEquals(8, location.getAsJsonObject("region").get("startColumn").getAsInt());
  }

  @Test
  void warningsPassUnlessStrict(@TempDir Path base) throws Exception {
    Specs.write(base, "src/main/cnn/odd.cnn", Specs.WARNING);
    mojo(base).execute();
    assertTrue(log.text().contains("1 spec file: 1 warning"), log.text());
    CheckMojo strict = mojo(base);
    strict.strict = true;
    MojoFailureException e = assertThrows(MojoFailureException.class, strict::execute);
    assertTrue(e.getMessage().contains("src/main/cnn/odd.cnn:3:33: error: `pool_0`: the 2×2 window"), e.getMessage());
    assertTrue(e.getMessage().contains("(strict)"), e.getMessage());
  }

  @Test
  void includesExcludesAndNamesOutsideTheBase(@TempDir Path base, @TempDir Path elsewhere) throws Exception {
    Specs.write(base, "src/main/cnn/tiny.cnn", Specs.TINY);
    Specs.write(base, "src/main/cnn/broken/bug.cnn", Specs.BUG);
    CheckMojo m = mojo(base);
    m.excludes = java.util.List.of("broken/");
    m.execute();
    CheckMojo outside = mojo(base);
    outside.pathsRelativeTo = elsewhere.toFile();
    MojoFailureException e = assertThrows(MojoFailureException.class, outside::execute);
    String absolute = base.resolve("src/main/cnn/broken/bug.cnn").toAbsolutePath().toString().replace('\\', '/');
    assertTrue(e.getMessage().contains(absolute + ":6:8: error:"), e.getMessage());
  }

  @Test
  void skipAndNothingToCheck(@TempDir Path base) throws Exception {
    Specs.write(base, "src/main/cnn/bug.cnn", Specs.BUG);
    CheckMojo skipped = mojo(base);
    skipped.skip = true;
    skipped.execute();
    CheckMojo empty = mojo(base.resolve("other"));
    empty.execute();
    assertTrue(log.text().contains("nothing to check"), log.text());
    assertFalse(Files.exists(base.resolve("target")));
  }
}
