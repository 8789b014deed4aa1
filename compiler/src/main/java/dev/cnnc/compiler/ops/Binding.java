// Everything an op's factory needs to build and check one layer.
package dev.cnnc.compiler.ops;

import dev.cnnc.compiler.diag.Diagnostics;
import dev.cnnc.compiler.diag.Span;
import java.util.List;
import java.util.stream.Collectors;

/**
 * @param name the layer's name ("conv1", "stage2.0.conv_1")
 * @param input the shape flowing into the layer
 * @param trail the shape changes from the network input to here, for help lines that show the
 *     arithmetic; null when the input shape is not known
 */
public record Binding(
    String name, String op, Args args, Shape input, Span span, Diagnostics diagnostics,
    Trail trail) {

  /** The layers that changed the shape on the way here, from the network input. */
  public List<Step> path() {
    return trail == null ? List.of() : trail.steps();
  }

  public void error(String code, String message, String... help) {
    diagnostics.error(code, span, message, help);
  }

  public void warning(String code, String message, String... help) {
    diagnostics.warning(code, span, message, help);
  }

  /** "3×32×32 → conv1 (conv 3→16 k3 s1 p1) → 16×32×32 → pool_0 (pool k2 s2) → 16×16×16 …", shape changes only. */
  public String journey() {
    List<Step> path = path();
    if (path.isEmpty()) return input.toString();
    StringBuilder b = new StringBuilder(path.get(0).out().toString());
    for (int i = 1; i < path.size(); i++) {
      Step s = path.get(i);
      if (s.out().equals(path.get(i - 1).out())) continue;
      b.append(" → ").append(s.layer()).append(" (").append(s.describe()).append(") → ").append(s.out());
    }
    return b.toString();
  }

  /** The spatial size where it changes, and which layer changed it: "32 → 16 (pool_0) → 8 (pool_1)". */
  public String spatialJourney() {
    StringBuilder b = new StringBuilder();
    String last = "";
    for (Step s : path()) {
      if (!s.out().isMap()) continue;
      String size = s.out().h() == s.out().w() ? Integer.toString(s.out().h()) : s.out().h() + "×" + s.out().w();
      if (size.equals(last)) continue;
      if (b.length() > 0) b.append(" → ").append(size).append(" (").append(s.layer()).append(", ").append(s.describe()).append(')');
      else b.append(size);
      last = size;
    }
    return b.toString();
  }
}
