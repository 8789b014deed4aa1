// Checks the train section: known keys, value types and ranges, known optimizers and schedules.
package dev.cnnc.compiler.resolve;

import dev.cnnc.compiler.ast.Arg;
import dev.cnnc.compiler.ast.Decl;
import dev.cnnc.compiler.ast.Expr;
import dev.cnnc.compiler.diag.Diagnostics;
import dev.cnnc.compiler.diag.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

final class TrainSettings {
  /** Each choice and the arguments it accepts. */
  private static final Map<String, Set<String>> OPTIMIZERS = Map.of(
      "sgd", Set.of("lr", "momentum", "nesterov", "weight_decay", "wd"),
      "adam", Set.of("lr", "beta1", "beta2", "eps", "weight_decay", "wd"),
      "adamw", Set.of("lr", "beta1", "beta2", "eps", "weight_decay", "wd"));
  private static final Map<String, Set<String>> SCHEDULES = Map.of(
      "constant", Set.of(),
      "step", Set.of("every", "gamma"),
      "cosine", Set.of("min"),
      "onecycle", Set.of("pct", "div", "final_div"));
  private static final Map<String, Set<String>> AUGMENTS = Map.of(
      "crop", Set.of("pad"), "flip", Set.of(), "none", Set.of());
  /** What each argument of a choice accepts; an argument missing here takes any number. */
  private record Range(double min, boolean minIncluded, double max, boolean maxIncluded, boolean whole) {
    boolean contains(double v) {
      return (minIncluded ? v >= min : v > min) && (maxIncluded ? v <= max : v < max) && (!whole || v == Math.rint(v));
    }

    String describe() {
      String kind = whole ? "a whole number" : "a number";
      if (max == Double.MAX_VALUE) return kind + (minIncluded ? " of at least " : " above ") + fmt(min);
      return kind + " from " + fmt(min) + (minIncluded ? "" : " (excluded)") + " to " + fmt(max) + (maxIncluded ? "" : " (excluded)");
    }
  }

  private static final double ANY = Double.MAX_VALUE;
  private static final Map<String, Range> RANGES = Map.ofEntries(
      Map.entry("lr", new Range(0, false, ANY, true, false)),
      Map.entry("momentum", new Range(0, true, 1, true, false)),
      Map.entry("nesterov", new Range(0, true, 1, true, true)),
      Map.entry("weight_decay", new Range(0, true, 1, true, false)),
      Map.entry("wd", new Range(0, true, 1, true, false)),
      Map.entry("beta1", new Range(0, true, 1, false, false)),
      Map.entry("beta2", new Range(0, true, 1, false, false)),
      Map.entry("eps", new Range(0, false, ANY, true, false)),
      Map.entry("every", new Range(1, true, ANY, true, true)),
      Map.entry("gamma", new Range(0, false, ANY, true, false)),
      Map.entry("min", new Range(0, true, ANY, true, false)),
      Map.entry("pct", new Range(0, false, 1, false, false)),
      Map.entry("div", new Range(0, false, ANY, true, false)),
      Map.entry("final_div", new Range(0, false, ANY, true, false)),
      Map.entry("pad", new Range(0, true, 1024, true, true)));

  private static final List<String> KEYS = List.of("epochs", "batch", "optimizer", "lr",
      "weight_decay", "schedule", "warmup", "augment", "label_smoothing", "seed");

  private final Diagnostics diagnostics;

  TrainSettings(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  TrainSpec read(List<Decl.Train> sections) {
    if (sections.isEmpty()) return TrainSpec.EMPTY;
    for (Decl.Train extra : sections.subList(1, sections.size())) {
      diagnostics.error("duplicate-train", extra.span(), "a spec has at most one `train` section",
          "merge its settings into the first one");
    }
    OptionalInt epochs = OptionalInt.empty();
    OptionalInt batch = OptionalInt.empty();
    Optional<TrainSpec.Choice> optimizer = Optional.empty();
    OptionalDouble lr = OptionalDouble.empty();
    OptionalDouble decay = OptionalDouble.empty();
    Optional<TrainSpec.Choice> schedule = Optional.empty();
    OptionalDouble warmup = OptionalDouble.empty();
    List<TrainSpec.Choice> augment = List.of();
    OptionalDouble smoothing = OptionalDouble.empty();
    OptionalLong seed = OptionalLong.empty();
    Set<String> seen = new java.util.HashSet<>();
    Map<String, Span> where = new java.util.HashMap<>();
    for (Decl.Setting s : sections.get(0).settings()) {
      where.put(s.key().text(), s.span());
      String key = s.key().text();
      if (!seen.add(key)) {
        diagnostics.error("duplicate-setting", s.key().span(), "`" + key + "` is set twice");
        continue;
      }
      switch (key) {
        case "epochs" -> epochs = positiveInt(s);
        case "batch" -> batch = positiveInt(s);
        case "seed" -> seed = seed(s);
        case "lr" -> lr = number(s, 0, Double.MAX_VALUE, false);
        case "weight_decay" -> decay = number(s, 0, 1, true);
        case "warmup" -> warmup = number(s, 0, 10_000, true);
        case "label_smoothing" -> smoothing = number(s, 0, 1, true);
        case "optimizer" -> optimizer = single(s).flatMap(v -> choice(v, OPTIMIZERS, "optimizer"));
        case "schedule" -> schedule = single(s).flatMap(v -> choice(v, SCHEDULES, "schedule"));
        case "augment" -> {
          List<TrainSpec.Choice> list = new ArrayList<>();
          for (Decl.SettingValue v : s.values()) choice(v, AUGMENTS, "augmentation").ifPresent(list::add);
          augment = List.copyOf(list);
        }
        default -> diagnostics.error("unknown-setting", s.key().span(), "unknown train setting `" + key + "`",
            "known settings: " + String.join(", ", KEYS));
      }
    }
    conflict("lr", lr, optimizer, where);
    conflict("weight_decay", decay, optimizer, where);
    if (schedule.isPresent() && schedule.get().name().equals("step") && schedule.get().arg("every").isEmpty()) {
      diagnostics.error("argument-count", where.get("schedule"), "`schedule step` needs `every:`, the epochs between decays",
          "e.g. `schedule step(every: 30, gamma: 0.1)`");
    }
    return new TrainSpec(epochs, batch, optimizer, lr, decay, schedule, warmup, augment, smoothing, seed);
  }

  /** `lr 0.1` and `sgd(lr: 0.01)` name one setting: different values are an error, not a silent choice. */
  private void conflict(String key, OptionalDouble line, Optional<TrainSpec.Choice> optimizer, Map<String, Span> where) {
    if (line.isEmpty() || optimizer.isEmpty()) return;
    OptionalDouble arg = optimizer.get().arg(key);
    if (arg.isPresent() && arg.getAsDouble() != line.getAsDouble()) {
      diagnostics.error("duplicate-setting", where.get(key), "`" + key + "` is set twice: `" + key + " " + fmt(line.getAsDouble())
          + "` here and `" + key + ": " + fmt(arg.getAsDouble()) + "` in the optimizer", "keep one of them");
    }
  }

  private Optional<Decl.SettingValue> single(Decl.Setting s) {
    if (s.values().size() != 1) {
      diagnostics.error("argument-count", s.span(), "`" + s.key().text() + "` takes one value, got " + s.values().size());
      return Optional.empty();
    }
    return Optional.of(s.values().get(0));
  }

  private OptionalInt positiveInt(Decl.Setting s) {
    Optional<Decl.SettingValue> v = single(s);
    if (v.isEmpty()) return OptionalInt.empty();
    if (v.get() instanceof Decl.PlainValue p && p.value() instanceof Expr.IntLit i) {
      try {
        int n = Integer.parseInt(i.text());
        if (n >= 1) return OptionalInt.of(n);
      } catch (NumberFormatException e) {
        // fall through to the message
      }
    }
    diagnostics.error("argument-type", v.get().span(),
        "`" + s.key().text() + "` must be a whole number from 1 to " + Integer.MAX_VALUE);
    return OptionalInt.empty();
  }

  private OptionalLong seed(Decl.Setting s) {
    Optional<Decl.SettingValue> v = single(s);
    if (v.isEmpty()) return OptionalLong.empty();
    if (v.get() instanceof Decl.PlainValue p && p.value() instanceof Expr.IntLit i) {
      try {
        return OptionalLong.of(Long.parseLong(i.text()));
      } catch (NumberFormatException e) {
        // fall through to the message
      }
    }
    diagnostics.error("argument-type", v.get().span(), "`seed` must be a whole number from 0 to " + Long.MAX_VALUE);
    return OptionalLong.empty();
  }

  private OptionalDouble number(Decl.Setting s, double min, double max, boolean zeroAllowed) {
    Optional<Decl.SettingValue> v = single(s);
    if (v.isEmpty()) return OptionalDouble.empty();
    Double d = v.get() instanceof Decl.PlainValue p ? literal(p.value()) : null;
    if (d == null || d < min || d > max || (!zeroAllowed && d == 0)) {
      diagnostics.error("argument-value", v.get().span(),
          "`" + s.key().text() + "` must be a number " + (zeroAllowed ? "from " : "above ") + fmt(min)
              + (max < Double.MAX_VALUE ? " to " + fmt(max) : ""));
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(d);
  }

  private Optional<TrainSpec.Choice> choice(Decl.SettingValue v, Map<String, Set<String>> known, String what) {
    String name;
    List<Arg> args;
    Span at;
    if (v instanceof Decl.CallValue c) {
      name = c.name().text();
      args = c.args();
      at = c.name().span();
    } else if (((Decl.PlainValue) v).value() instanceof Expr.Name n) {
      name = n.name().text();
      args = List.of();
      at = n.span();
    } else {
      diagnostics.error("argument-type", v.span(), "expected the name of an " + what + ", e.g. "
          + known.keySet().stream().sorted().findFirst().orElse(""));
      return Optional.empty();
    }
    Set<String> accepted = known.get(name);
    if (accepted == null) {
      diagnostics.error("unknown-setting", at, "unknown " + what + " `" + name + "`",
          "known: " + String.join(", ", known.keySet().stream().sorted().toList()));
      return Optional.empty();
    }
    Map<String, Double> values = new LinkedHashMap<>();
    Map<String, String> spelled = new LinkedHashMap<>();
    boolean ok = true;
    for (Arg a : args) {
      if (a.key().isEmpty() || !accepted.contains(a.key().get().text())) {
        diagnostics.error("unknown-argument", a.span(), "`" + name + "` does not take `"
                + a.key().map(k -> k.text()).orElse("a positional argument") + "`",
            accepted.isEmpty() ? "`" + name + "` takes no arguments"
                : "it takes: " + String.join(", ", accepted.stream().sorted().toList()) + " (as `key: value`)");
        ok = false;
        continue;
      }
      Double d = literal(a.value());
      if (d == null) {
        diagnostics.error("argument-type", a.value().span(), "`" + a.key().get().text() + "` must be a number"
            + (a.key().get().text().equals("nesterov") ? " (or true/false)" : ""));
        ok = false;
        continue;
      }
      String key = a.key().get().text();
      Range range = RANGES.get(key);
      if (range != null && !range.contains(d)) {
        diagnostics.error("argument-value", a.value().span(), "`" + key + "` must be "
            + (key.equals("nesterov") ? "true or false" : range.describe()) + ", got " + fmt(d));
        ok = false;
        continue;
      }
      String canonical = key.equals("wd") ? "weight_decay" : key;
      String before = spelled.putIfAbsent(canonical, key);
      if (before != null) {
        // `lr: 0.1, lr: 0.01` would otherwise train with whichever came last, unsaid
        diagnostics.error("duplicate-argument", a.span(), "`" + name + "`: `" + key + "` is given twice"
            + (before.equals(key) ? "" : " (`" + before + "` and `" + key + "` are one setting)"), "give it once");
        ok = false;
        continue;
      }
      values.put(canonical, d);
    }
    return ok ? Optional.of(new TrainSpec.Choice(name, Map.copyOf(values))) : Optional.empty();
  }

  /** A number literal (or true/false as 1/0, or a negated number), else null. */
  private static Double literal(Expr e) {
    if (e instanceof Expr.IntLit i) {
      try {
        return Double.parseDouble(i.text());
      } catch (NumberFormatException x) {
        return null;
      }
    }
    if (e instanceof Expr.FloatLit f) return f.value();
    if (e instanceof Expr.Name n && n.name().text().equals("true")) return 1.0;
    if (e instanceof Expr.Name n && n.name().text().equals("false")) return 0.0;
    if (e instanceof Expr.Neg n) {
      Double d = literal(n.operand());
      return d == null ? null : -d;
    }
    return null;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
