// The command-line contract of DESIGN.md, through Main.run with captured streams: exit codes,
// inputs (files, directories, globs), formats, --strict, -o, stable output, and no stack traces.
package dev.cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MainTest {
  @TempDir Path tmp;

  /** What one run of the CLI printed and returned. */
  record Run(int code, String out, String err) {
    String all() {
      return out + err;
    }
  }

  static Run cnnc(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    Run run = new Run(code, out.toString(), err.toString());
    assertNoStackTrace(run);
    return run;
  }

  /** Whatever happens, a user never sees a Java stack trace or exception name. */
  static void assertNoStackTrace(Run run) {
    for (String text : List.of(run.out, run.err)) {
      assertFalse(text.contains("at dev.cnnc"), text);
      assertFalse(text.contains("Exception"), text);
      assertFalse(text.matches("(?s).*\\n\\s+at [a-z]+\\..*"), text);
    }
  }

  static String example(String name) {
    return repo().resolve("examples").resolve(name).toString();
  }

  static Path repo() {
    String property = System.getProperty("cnnc.repo");
    if (property != null && Files.isDirectory(Path.of(property, "examples"))) return Path.of(property);
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("examples")) && Files.exists(p.resolve("pom.xml"))) return p;
    }
    throw new IllegalStateException("cannot find the repository root (set -Dcnnc.repo)");
  }

  private Path write(String name, String text) throws IOException {
    Path p = tmp.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  private static final String CLEAN = "network Ok {\n  input 3x32x32\n  conv(8, k3, p1) -> relu -> gap -> fc(10)\n}\n";
  private static final String WARNS = "network Warn {\n  input 3x32x32\n  conv(8, k3, p1) -> pool(k3) -> gap -> fc(10)\n}\n";
  private static final String BROKEN = "network Bad {\n  input 3x32x32\n  conv(4, 8, k3) -> rleu -> gap -> fc(10)\n}\n";

  // ---- exit codes ------------------------------------------------------------------------

  @Test
  void exitCodes() throws IOException {
    assertEquals(Main.OK, cnnc("check", write("ok.cnn", CLEAN).toString()).code());
    assertEquals(Main.OK, cnnc("check", write("warn.cnn", WARNS).toString()).code(), "warnings alone pass");
    assertEquals(Main.FAILED, cnnc("check", write("bad.cnn", BROKEN).toString()).code());
    assertEquals(Main.FAILED, cnnc("check", example("seed_simple_cnn_bug.cnn")).code());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"check --bogus FILE", "check", "check --format xml FILE", "summary", "summary FILE --batch 0",
      "frobnicate", "NOTHING", "check MISSING", "summary MISSING", "check GLOB_WITH_NO_MATCH", "check EMPTY_DIR"})
  void badUsageExitsWith2(String line) throws IOException {
    Path ok = write("ok.cnn", CLEAN);
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    List<String> args = new ArrayList<>();
    for (String word : line.split(" ")) {
      if (word.equals("NOTHING")) continue;
      args.add(switch (word) {
        case "FILE" -> ok.toString();
        case "MISSING" -> tmp.resolve("nope.cnn").toString();
        case "GLOB_WITH_NO_MATCH" -> tmp + "/*.nothing";
        case "EMPTY_DIR" -> empty.toString();
        default -> word;
      });
    }
    Run run = cnnc(args.toArray(String[]::new));
    assertEquals(Main.USAGE, run.code(), run.all());
    assertFalse(run.err().isBlank(), "says what is wrong");
  }

  @Test
  void aMissingFileIsNamedPlainly() {
    Run run = cnnc("summary", tmp.resolve("nope.cnn").toString());
    assertEquals("cnnc: no such file: " + tmp.resolve("nope.cnn") + "\n", run.err());
  }

  @Test
  void helpAndVersionSucceed() {
    assertEquals(Main.OK, cnnc("--help").code());
    assertEquals(Main.OK, cnnc("--version").code());
    assertTrue(cnnc("--help").out().contains("Exit codes: 0 success, 1"));
  }

  // ---- inputs ----------------------------------------------------------------------------

  @Test
  void checkTakesDirectoriesAndGlobs() throws IOException {
    write("specs/a.cnn", CLEAN);
    write("specs/nested/b.cnn", BROKEN);
    write("specs/notes.txt", "not a spec");
    Run dir = cnnc("check", "--format", "json", tmp.resolve("specs").toString());
    assertEquals(Main.FAILED, dir.code());
    assertEquals(List.of("a.cnn", "b.cnn"), fileNames(dir.out()), "every *.cnn below, sorted, nothing else");

    Run glob = cnnc("check", "--format", "json", tmp + "/specs/*.cnn");
    assertEquals(Main.OK, glob.code(), glob.all());
    assertEquals(List.of("a.cnn"), fileNames(glob.out()));

    Run deep = cnnc("check", "--format", "json", tmp + "/specs/**.cnn");
    assertEquals(List.of("a.cnn", "b.cnn"), fileNames(deep.out()));

    Run all = cnnc("check", repo().resolve("examples").toString() + "/*.cnn");
    assertEquals(Main.FAILED, all.code(), "examples/ holds the seed bug on purpose");
    assertTrue(all.err().endsWith("checked 7 files: 1 error, 3 warnings\n"), all.err());
  }

  private static List<String> fileNames(String json) {
    List<String> names = new ArrayList<>();
    for (JsonElement f : JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("files")) {
      names.add(Path.of(f.getAsJsonObject().get("file").getAsString()).getFileName().toString());
    }
    return names;
  }

  // ---- --strict, formats, -o -------------------------------------------------------------

  @Test
  void strictMakesWarningsFail() throws IOException {
    String file = write("warn.cnn", WARNS).toString();
    Run lax = cnnc("check", file);
    assertEquals(Main.OK, lax.code());
    assertTrue(lax.err().contains(": warning: "), lax.err());
    Run strict = cnnc("check", "--strict", file);
    assertEquals(Main.FAILED, strict.code());
    assertTrue(strict.err().contains(": error: "), strict.err());
    assertTrue(strict.err().endsWith("checked 1 file: 1 error\n"), strict.err());
  }

  @Test
  void theSeedBugInText() {
    Run run = cnnc("check", example("seed_simple_cnn_bug.cnn"));
    assertEquals(Main.FAILED, run.code());
    assertEquals("", run.out(), "text diagnostics go to stderr");
    assertTrue(run.err().contains("seed_simple_cnn_bug.cnn:9:8: error: `fc1` expects 8192 input features, but its input has 2048"), run.err());
    assertTrue(run.err().contains("  help: "), run.err());
    assertTrue(run.err().contains("32 → 16 (pool_0, pool k2 s2) → 8 (pool_1, pool k2 s2)"), run.err());
    assertTrue(run.err().contains("write `fc(2048, 512)`"), run.err());
    assertTrue(run.err().endsWith("checked 1 file: 1 error\n"), run.err());
  }

  @Test
  void jsonReport() throws IOException {
    Run run = cnnc("check", "--format", "json", example("seed_simple_cnn_bug.cnn"), write("warn.cnn", WARNS).toString());
    assertEquals(Main.FAILED, run.code());
    JsonObject root = JsonParser.parseString(run.out()).getAsJsonObject();
    assertEquals(1, root.get("errors").getAsInt());
    assertEquals(1, root.get("warnings").getAsInt());
    JsonArray files = root.getAsJsonArray("files");
    assertEquals(2, files.size());
    JsonObject bug = file(files, "seed_simple_cnn_bug.cnn");
    assertFalse(bug.get("ok").getAsBoolean());
    JsonObject d = bug.getAsJsonArray("diagnostics").get(0).getAsJsonObject();
    assertEquals("error", d.get("severity").getAsString());
    assertEquals("fc-input-mismatch", d.get("code").getAsString());
    assertEquals(9, d.get("line").getAsInt());
    assertEquals(8, d.get("column").getAsInt());
    assertTrue(d.get("message").getAsString().contains("expects 8192 input features"));
    assertTrue(d.getAsJsonArray("help").size() >= 3);
    assertTrue(file(files, "warn.cnn").get("ok").getAsBoolean(), "a file with only warnings is ok");
  }

  private static JsonObject file(JsonArray files, String name) {
    for (JsonElement f : files) {
      if (f.getAsJsonObject().get("file").getAsString().endsWith("/" + name)) return f.getAsJsonObject();
    }
    throw new AssertionError("no " + name + " in " + files);
  }

  @Test
  void sarifReport() throws IOException {
    Run run = cnnc("check", "--format", "sarif", example("seed_simple_cnn_bug.cnn"), write("warn.cnn", WARNS).toString());
    assertEquals(Main.FAILED, run.code());
    JsonObject root = JsonParser.parseString(run.out()).getAsJsonObject();
    assertEquals("2.1.0", root.get("version").getAsString());
    JsonObject sarifRun = root.getAsJsonArray("runs").get(0).getAsJsonObject();
    assertEquals("cnnc", sarifRun.getAsJsonObject("tool").getAsJsonObject("driver").get("name").getAsString());
    assertEquals("unicodeCodePoints", sarifRun.get("columnKind").getAsString(), "columns count code points, not UTF-16 units");
    JsonArray results = sarifRun.getAsJsonArray("results");
    assertEquals(2, results.size());
    JsonObject error = result(results, "error");
    assertEquals("fc-input-mismatch", error.get("ruleId").getAsString());
    assertEquals("error", error.get("level").getAsString());
    JsonObject location = error.getAsJsonArray("locations").get(0).getAsJsonObject().getAsJsonObject("physicalLocation");
    assertTrue(location.getAsJsonObject("artifactLocation").get("uri").getAsString().endsWith("seed_simple_cnn_bug.cnn"));
    assertEquals(9, location.getAsJsonObject("region").get("startLine").getAsInt());
    assertEquals(8, location.getAsJsonObject("region").get("startColumn").getAsInt());
    JsonObject warning = result(results, "warning");
    assertEquals("warning", warning.get("level").getAsString());
    assertEquals("window-does-not-tile", warning.get("ruleId").getAsString());
    List<String> rules = new ArrayList<>();
    sarifRun.getAsJsonObject("tool").getAsJsonObject("driver").getAsJsonArray("rules")
        .forEach(r -> rules.add(r.getAsJsonObject().get("id").getAsString()));
    assertEquals(List.of("fc-input-mismatch", "window-does-not-tile"), rules);
  }

  private static JsonObject result(JsonArray results, String level) {
    for (JsonElement r : results) if (r.getAsJsonObject().get("level").getAsString().equals(level)) return r.getAsJsonObject();
    throw new AssertionError("no " + level + " in " + results);
  }

  @ParameterizedTest(name = "--format {0}")
  @ValueSource(strings = {"text", "json", "sarif"})
  void outputIsTheSameEveryRun(String format) {
    String[] args = {"check", "--format", format, repo().resolve("examples").toString()};
    Run first = cnnc(args);
    Run second = cnnc(args);
    assertEquals(first, second);
  }

  @ParameterizedTest(name = "--format {0} -o FILE")
  @ValueSource(strings = {"json", "sarif", "text"})
  void dashOWritesTheReport(String format) throws IOException {
    Path report = tmp.resolve("reports/check." + format);
    Run run = cnnc("check", "--format", format, "-o", report.toString(), example("seed_simple_cnn_bug.cnn"));
    assertEquals(Main.FAILED, run.code());
    assertEquals("", run.out(), "the report goes to the file");
    assertEquals("", run.err());
    String written = Files.readString(report);
    assertTrue(written.contains("fc-input-mismatch") || written.contains("expects 8192 input features"), written);
    if (!format.equals("text")) JsonParser.parseString(written);
  }

  // ---- summary ---------------------------------------------------------------------------

  @Test
  void summaryJson() {
    Run run = cnnc("summary", "--format", "json", example("resnet20.cnn"));
    assertEquals(Main.OK, run.code(), run.err());
    JsonObject root = JsonParser.parseString(run.out()).getAsJsonObject();
    assertEquals("ResNet20", root.get("network").getAsString());
    assertEquals("[3,32,32]", root.getAsJsonArray("input").toString());
    assertEquals(269_722, root.get("total_params").getAsLong());
    assertEquals(40_551_040, root.get("total_macs").getAsLong());
    JsonObject first = root.getAsJsonArray("layers").get(0).getAsJsonObject();
    assertEquals("conv1", first.get("name").getAsString());
    assertEquals("conv", first.get("op").getAsString());
    assertEquals("[16,32,32]", first.getAsJsonArray("output").toString());
    assertEquals(432, first.get("params").getAsLong());
    assertEquals(442_368, first.get("macs").getAsLong());
  }

  @Test
  void summaryText() {
    Run run = cnnc("summary", example("resnet20.cnn"));
    assertEquals(Main.OK, run.code());
    assertTrue(run.out().contains("total parameters:  269,722 (0.27M)"), run.out());
    assertTrue(run.out().contains("layer1.rest.0.conv1"), run.out());
    Run bug = cnnc("summary", example("seed_simple_cnn_bug.cnn"));
    assertEquals(Main.FAILED, bug.code());
    assertEquals("", bug.out(), "no table for a spec with errors");
    assertTrue(bug.err().contains("seed_simple_cnn_bug.cnn:9:8: error:"), bug.err());
  }

  // ---- hostile input ---------------------------------------------------------------------

  @Test
  void hostileFilesGetMessagesNotTraces() throws IOException {
    Path binary = tmp.resolve("binary.cnn");
    Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0x80});
    Run run = cnnc("check", binary.toString());
    assertEquals(Main.FAILED, run.code());
    assertTrue(run.err().contains("is not a UTF-8 text file"), run.err());

    Path deep = write("deep.cnn", "network D {\n  input 3x32x32\n  fc(" + "(".repeat(100_000) + "\n}\n");
    assertEquals(Main.FAILED, cnnc("check", deep.toString()).code());

    Run directory = cnnc("summary", tmp.toString());
    assertEquals(Main.USAGE, directory.code());
    assertEquals("cnnc: " + tmp + " is a directory, not a spec file\n", directory.err());
  }
}
