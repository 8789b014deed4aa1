// SARIF 2.1.0 output, so CI systems (GitHub code scanning and others) annotate the offending line.
package dev.cnnc.compiler.diag;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

public final class SarifRenderer {
  private SarifRenderer() {}

  public static String render(List<JsonRenderer.FileReport> reports, String version) {
    Map<String, String> rules = new TreeMap<>();
    JsonArray results = new JsonArray();
    for (JsonRenderer.FileReport r : reports) {
      for (Diagnostic d : r.diagnostics()) {
        rules.putIfAbsent(d.code(), d.message());
        results.add(result(d));
      }
    }
    JsonObject driver = new JsonObject();
    driver.addProperty("name", "cnnc");
    driver.addProperty("version", version);
    driver.addProperty("informationUri", "https://github.com/cnnc/cnnc");
    JsonArray ruleList = new JsonArray();
    rules.forEach((id, example) -> {
      JsonObject rule = new JsonObject();
      rule.addProperty("id", id);
      JsonObject text = new JsonObject();
      text.addProperty("text", id.replace('-', ' '));
      rule.add("shortDescription", text);
      ruleList.add(rule);
    });
    driver.add("rules", ruleList);
    JsonObject tool = new JsonObject();
    tool.add("driver", driver);
    JsonObject run = new JsonObject();
    run.add("tool", tool);
    // Columns count code points, as the parser does; SARIF's default is UTF-16 code units.
    run.addProperty("columnKind", "unicodeCodePoints");
    run.add("results", results);
    JsonArray runs = new JsonArray();
    runs.add(run);
    JsonObject root = new JsonObject();
    root.addProperty("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    root.addProperty("version", "2.1.0");
    root.add("runs", runs);
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n";
  }

  private static JsonObject result(Diagnostic d) {
    JsonObject o = new JsonObject();
    o.addProperty("ruleId", d.code());
    o.addProperty("level", d.severity() == Severity.ERROR ? "error" : "warning");
    JsonObject message = new JsonObject();
    StringBuilder text = new StringBuilder(d.message());
    for (String h : d.help()) text.append("\nhelp: ").append(h);
    message.addProperty("text", text.toString());
    o.add("message", message);
    JsonObject artifact = new JsonObject();
    artifact.addProperty("uri", d.file().replace('\\', '/'));
    JsonObject physical = new JsonObject();
    physical.add("artifactLocation", artifact);
    if (d.span().isKnown()) {
      JsonObject region = new JsonObject();
      region.addProperty("startLine", d.span().line());
      region.addProperty("startColumn", d.span().column());
      region.addProperty("endColumn", d.span().column() + Math.max(1, d.span().length()));
      physical.add("region", region);
    }
    JsonObject location = new JsonObject();
    location.add("physicalLocation", physical);
    JsonArray locations = new JsonArray();
    locations.add(location);
    o.add("locations", locations);
    return o;
  }
}
