// `cnnc summary`: a table of layers (name, op, output shape, parameters, multiply-adds) with totals
// and memory estimates, as text or JSON.
package dev.cnnc.compiler;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.ir.Node;
import dev.cnnc.compiler.ops.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

public final class Summary {
  /** One layer's line of the table. */
  public record Row(String name, String op, String describe, int[] output, long params, long macs) {}

  private final Graph graph;
  private final List<Row> rows = new ArrayList<>();

  public Summary(Graph graph) {
    this.graph = graph;
    for (Node n : graph.nodes().subList(1, graph.nodes().size())) {
      long params = n.op().params().stream().mapToLong(Tensor::size).sum();
      rows.add(new Row(n.name(), n.op().kind(), n.op().describe(), n.output().dims(), params, n.op().macs()));
    }
  }

  public List<Row> rows() {
    return rows;
  }

  public long totalParams() {
    return graph.totalParams();
  }

  public long totalMacs() {
    return graph.totalMacs();
  }

  /** Bytes of float32 parameters. */
  public long paramBytes() {
    return totalParams() * 4;
  }

  /** Bytes of float32 activations of one forward pass over {@code batch} images, input included. */
  public long activationBytes(int batch) {
    return graph.nodes().stream().mapToLong(n -> n.output().size()).sum() * 4L * batch;
  }

  public String text(int batch) {
    String[] head = {"layer", "op", "output", "params", "MACs"};
    List<String[]> lines = new ArrayList<>();
    lines.add(new String[] {"input", "input", dims(graph.input().dims()), "", ""});
    for (Row r : rows) {
      lines.add(new String[] {r.name, r.describe, dims(r.output), count(r.params), count(r.macs)});
    }
    int[] width = new int[head.length];
    for (int i = 0; i < head.length; i++) width[i] = head[i].length();
    for (String[] l : lines) for (int i = 0; i < l.length; i++) width[i] = Math.max(width[i], l[i].length());
    StringBuilder out = new StringBuilder();
    out.append("network ").append(graph.name()).append(" (").append(graph.file()).append(")\n");
    String rule = "-".repeat(width[0] + width[1] + width[2] + width[3] + width[4] + 8) + "\n";
    out.append(rule).append(row(head, width)).append(rule);
    for (String[] l : lines) out.append(row(l, width));
    out.append(rule);
    out.append(String.format(Locale.ROOT, "total parameters:  %s (%s)%n", count(totalParams()), millions(totalParams())));
    out.append(String.format(Locale.ROOT, "total MACs:        %s per image (%s)%n", count(totalMacs()), millions(totalMacs())));
    out.append(String.format(Locale.ROOT, "parameter memory:  %s (float32)%n", bytes(paramBytes())));
    out.append(String.format(Locale.ROOT, "activation memory: %s for a forward pass at batch %d (training keeps about twice that)%n",
        bytes(activationBytes(batch)), batch));
    return out.toString();
  }

  public String json(int batch) {
    JsonObject root = new JsonObject();
    root.addProperty("network", graph.name());
    root.add("input", array(graph.input().dims()));
    JsonArray layers = new JsonArray();
    for (Row r : rows) {
      JsonObject o = new JsonObject();
      o.addProperty("name", r.name);
      o.addProperty("op", r.op);
      o.addProperty("describe", r.describe);
      o.add("output", array(r.output));
      o.addProperty("params", r.params);
      o.addProperty("macs", r.macs);
      layers.add(o);
    }
    root.add("layers", layers);
    root.addProperty("total_params", totalParams());
    root.addProperty("total_macs", totalMacs());
    root.addProperty("param_bytes", paramBytes());
    root.addProperty("batch", batch);
    root.addProperty("activation_bytes", activationBytes(batch));
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n";
  }

  private static JsonArray array(int[] dims) {
    JsonArray a = new JsonArray();
    for (int d : dims) a.add(d);
    return a;
  }

  private static String row(String[] cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      boolean numeric = i >= 3;
      String pad = " ".repeat(width[i] - cells[i].length());
      b.append(numeric ? pad + cells[i] : cells[i] + pad);
      b.append(i + 1 < cells.length ? "  " : "\n");
    }
    return b.toString();
  }

  private static String dims(int[] d) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < d.length; i++) b.append(i > 0 ? "×" : "").append(d[i]);
    return b.toString();
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** 269722 → "0.27M", 853018 → "0.85M", 4.2e9 → "4,200.00M". */
  public static String millions(long n) {
    return String.format(Locale.ROOT, "%.2fM", n / 1e6);
  }

  static String bytes(long b) {
    if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
    if (b < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
    return String.format(Locale.ROOT, "%.2f GiB", b / (1024.0 * 1024 * 1024));
  }
}
