// Machine-readable diagnostics for CI: one JSON document for every file checked.
package dev.cnnc.compiler.diag;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;

public final class JsonRenderer {
  /** One checked file and what was found in it. */
  public record FileReport(SourceFile source, List<Diagnostic> diagnostics) {
    long count(Severity s) {
      return diagnostics.stream().filter(d -> d.severity() == s).count();
    }
  }

  private JsonRenderer() {}

  public static String render(List<FileReport> reports) {
    JsonObject root = new JsonObject();
    JsonArray files = new JsonArray();
    long errors = 0;
    long warnings = 0;
    for (FileReport r : reports) {
      JsonObject f = new JsonObject();
      f.addProperty("file", r.source().name());
      f.addProperty("ok", r.count(Severity.ERROR) == 0);
      JsonArray list = new JsonArray();
      for (Diagnostic d : r.diagnostics()) list.add(diagnostic(d));
      f.add("diagnostics", list);
      files.add(f);
      errors += r.count(Severity.ERROR);
      warnings += r.count(Severity.WARNING);
    }
    root.add("files", files);
    root.addProperty("errors", errors);
    root.addProperty("warnings", warnings);
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n";
  }

  static JsonObject diagnostic(Diagnostic d) {
    JsonObject o = new JsonObject();
    o.addProperty("severity", d.severity().word());
    o.addProperty("code", d.code());
    o.addProperty("file", d.file());
    o.addProperty("line", d.span().line());
    o.addProperty("column", d.span().column());
    o.addProperty("end_column", d.span().column() + d.span().length());
    o.addProperty("message", d.message());
    JsonArray help = new JsonArray();
    d.help().forEach(help::add);
    o.add("help", help);
    return o;
  }
}
