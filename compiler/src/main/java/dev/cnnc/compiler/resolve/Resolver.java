// Expands named blocks and repeats, substitutes block parameters, and names every layer.
package dev.cnnc.compiler.resolve;

import dev.cnnc.compiler.ast.Arg;
import dev.cnnc.compiler.ast.Chain;
import dev.cnnc.compiler.ast.Decl;
import dev.cnnc.compiler.ast.Element;
import dev.cnnc.compiler.ast.Expr;
import dev.cnnc.compiler.ast.Ident;
import dev.cnnc.compiler.ast.SpecFile;
import dev.cnnc.compiler.diag.Diagnostics;
import dev.cnnc.compiler.diag.Span;
import dev.cnnc.compiler.ops.ArgValue;
import dev.cnnc.compiler.ops.Limits;
import dev.cnnc.compiler.ops.Registry;
import dev.cnnc.compiler.ops.Shape;
import dev.cnnc.compiler.ops.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Layers get their label, or {@code kind_N} counted per kind within their scope. Block uses and
 * repeats open a scope: {@code stage1: basic(16, 1) * 3} names its layers {@code stage1.0.conv_0}
 * and so on; an unlabelled use is named after the block ({@code basic_0}).
 */
public final class Resolver {
  /** Expansion stops here, so a runaway repeat count cannot exhaust memory. */
  static final int MAX_LAYERS = 100_000;
  /** Blocks may use blocks this deep (each level is a few frames of recursion). */
  static final int MAX_BLOCK_DEPTH = 64;

  private final Diagnostics root;
  private final Map<String, Decl.Block> blocks = new LinkedHashMap<>();
  private final List<String> expanding = new ArrayList<>();
  /** Blocks whose declaration is in error (a parameter declared twice): uses expand to nothing more. */
  private final Set<String> badBlocks = new HashSet<>();
  private int layers;
  /** How deep in blocks and repeats expansion is, and the network-level element it started from. */
  private int depth;
  private Element top;

  private Resolver(Diagnostics diagnostics) {
    this.root = diagnostics;
  }

  /** Resolves the file's network; empty when it has none or errors make it meaningless. */
  public static Optional<ResolvedSpec> resolve(SpecFile file, Diagnostics diagnostics) {
    return new Resolver(diagnostics).run(file);
  }

  private Optional<ResolvedSpec> run(SpecFile file) {
    TrainSpec train = new TrainSettings(root).read(file.trains());
    declareBlocks(file.blocks());
    for (Decl.Block b : file.blocks()) {
      checkLabels(b.body(), new HashMap<>());
      checkLayerNames(b.body());
    }
    for (Decl.Network n : file.networks()) n.body().ifPresent(c -> checkLabels(c, new HashMap<>()));
    List<Decl.Network> networks = file.networks();
    if (networks.isEmpty()) {
      root.error("no-network", new Span(1, 1, 1), "the file declares no network",
          "write one: `network Name { input 3x32x32  conv(16, k3) -> relu … }`");
      return Optional.empty();
    }
    for (Decl.Network extra : networks.subList(1, networks.size())) {
      root.error("duplicate-network", extra.span(), "a spec declares one network; `" + extra.name()
          + "` is a second one", "put each network in its own file");
    }
    Decl.Network net = networks.get(0);
    Shape input = input(net);
    if (net.body().isEmpty()) {
      root.error("empty-network", net.span(), "network `" + net.name() + "` has no layers",
          "add a chain of layers after the input, e.g. `conv(16, k3) -> relu -> gap -> fc(10)`");
      return Optional.empty();
    }
    Scope scope = new Scope("", net.body().get());
    List<RNode> body = chain(net.body().get(), Map.of(), scope, root);
    return Optional.of(new ResolvedSpec(net.name().text(), net.span(), Optional.ofNullable(input), body, train));
  }

  private Shape input(Decl.Network net) {
    if (net.input().isEmpty()) {
      root.error("missing-input", net.name().span(), "network `" + net.name() + "` has no input",
          "declare the image size first in the body, as C x H x W: `input 3x32x32`");
      return null;
    }
    Decl.Input in = net.input().get();
    if (in.dims().size() != 3) {
      root.error("bad-input", in.span(), "the input has " + in.dims().size() + " dimensions; cnnc expects C x H x W",
          "e.g. `input 3x32x32` for CIFAR-10 (the batch dimension is implicit)");
      return null;
    }
    long[] d = new long[3];
    for (int i = 0; i < 3; i++) {
      try {
        d[i] = Long.parseLong(in.dims().get(i));
      } catch (NumberFormatException e) {
        d[i] = -1;
      }
      if (d[i] < 1 || d[i] > Integer.MAX_VALUE) {
        root.error("bad-input", in.span(), "input size `" + in.dims().get(i) + "` must be from 1 to " + Integer.MAX_VALUE);
        return null;
      }
    }
    if (Limits.product(d) > Limits.MAX_ELEMENTS) {
      root.error("too-large", in.span(), "the input has " + Limits.product(d) + " elements per image, more than one array can hold");
      return null;
    }
    return Shape.chw((int) d[0], (int) d[1], (int) d[2]);
  }

  private void declareBlocks(List<Decl.Block> decls) {
    for (Decl.Block b : decls) {
      String name = b.name().text();
      if (Registry.find(name).isPresent() || name.equals("residual") || name.equals("repeat")) {
        root.error("duplicate-block", b.name().span(), "block `" + name + "` has the name of a built-in layer",
            "rename the block");
      } else if (blocks.containsKey(name)) {
        root.error("duplicate-block", b.name().span(), "block `" + name + "` is declared twice",
            "the first is at line " + blocks.get(name).span().line());
      } else {
        blocks.put(name, b);
      }
      List<String> seen = new ArrayList<>();
      for (Ident p : b.params()) {
        if (seen.contains(p.text())) {
          root.error("duplicate-parameter", p.span(), "parameter `" + p + "` is declared twice in block `" + name + "`");
          badBlocks.add(name);
        }
        seen.add(p.text());
      }
    }
  }

  /**
   * Unknown layers are a property of the text, so they are reported in every block, used or
   * not (a use reports the same diagnostic, which is kept once).
   */
  private void checkLayerNames(Chain chain) {
    for (Element e : chain.elements()) {
      if (e instanceof Element.Call c && Registry.find(c.op().text()).isEmpty() && !blocks.containsKey(c.op().text())) {
        unknownLayer(c.op(), root);
      } else if (e instanceof Element.Residual r) {
        checkLayerNames(r.body());
        r.shortcut().ifPresent(this::checkLayerNames);
      } else if (e instanceof Element.Repeat r) {
        checkLayerNames(r.body());
      }
    }
  }

  /** Labels name layers within one chain (a residual's body shares its chain's names); each once. */
  private void checkLabels(Chain chain, Map<String, Ident> seen) {
    for (Element e : chain.elements()) {
      if (e.label().isPresent()) {
        Ident label = e.label().get();
        Ident first = seen.putIfAbsent(label.text(), label);
        if (label.text().equals("input")) {
          root.error("duplicate-name", label.span(), "`input` is the name of the network's input",
              "give this layer a different label");
        } else if (first != null) {
          root.error("duplicate-name", label.span(), "two layers are named `" + label + "`",
              "the other is at line " + first.span().line() + "; give this one a different label");
        }
      }
      if (e instanceof Element.Residual r) {
        checkLabels(r.body(), seen);
        r.shortcut().ifPresent(s -> checkLabels(s, new HashMap<>()));
      } else if (e instanceof Element.Repeat r) {
        checkLabels(r.body(), new HashMap<>());
      }
    }
  }

  private List<RNode> chain(Chain chain, Map<String, Long> env, Scope scope, Diagnostics diags) {
    List<RNode> out = new ArrayList<>();
    depth++;
    for (Element e : chain.elements()) {
      if (layers > MAX_LAYERS) break;
      if (depth == 1) top = e;
      element(e, env, scope, diags, out);
    }
    depth--;
    return out;
  }

  private void element(Element e, Map<String, Long> env, Scope scope, Diagnostics diags, List<RNode> out) {
    Optional<Long> repeats = e.times().isPresent() ? count(e.times().get(), env, diags) : Optional.of(1L);
    if (e instanceof Element.Repeat r) {
      Optional<Long> count = count(r.count(), env, diags);
      repeats = repeats.isPresent() && count.isPresent()
          ? Optional.of(Limits.product(repeats.get(), count.get())) : Optional.empty();
    }
    if (repeats.isPresent() && repeats.get() > MAX_LAYERS) {
      diags.error("too-large", e.span(), "repeating "
          + (repeats.get() == Long.MAX_VALUE ? "more than 9·10¹⁸" : String.format("%,d", repeats.get()))
          + " times is more than cnnc expands (" + String.format("%,d", MAX_LAYERS) + " layers)");
      repeats = Optional.empty();
    }
    if (repeats.isEmpty()) {
      out.add(unresolved(e, scope, diags));
      return;
    }
    long times = repeats.get();
    String label = e.label().map(Ident::text).orElse(null);
    String repeatBase = e instanceof Element.Repeat ? label != null ? label : scope.autoName("repeat") : null;
    for (long i = 0; i < times && layers <= MAX_LAYERS; i++) {
      String name = repeatBase != null ? repeatBase + "." + i
          : label == null ? scope.autoName(kindOf(e))
          : times == 1 ? label : label + "." + i;
      if (e instanceof Element.Call c && blocks.containsKey(c.op().text())) {
        blockCall(c, scope.qualify(name), env, diags, out);
      } else if (e instanceof Element.Call c) {
        layerCall(c, scope.qualify(name), env, diags, out);
      } else if (e instanceof Element.Residual r) {
        residual(r, name, env, scope, diags, out);
      } else if (e instanceof Element.Repeat r) {
        out.addAll(chain(r.body(), env, new Scope(scope.qualify(name) + ".", r.body()), diags));
      }
    }
  }

  /** A repeat count: a whole number of at least 1, or empty after reporting why not. */
  private Optional<Long> count(Expr e, Map<String, Long> env, Diagnostics diags) {
    Optional<Long> n = eval(e, env, diags);
    if (n.isPresent() && n.get() < 1) {
      diags.error("argument-value", e.span(), "a repeat count must be at least 1, got " + n.get());
      return Optional.empty();
    }
    return n;
  }

  private static RNode unresolved(Element e, Scope scope, Diagnostics diags) {
    String name = e.label().map(Ident::text).orElse(e instanceof Element.Call c ? c.op().text() : "layer");
    return new RNode.Unresolved(scope.qualify(name), e.span(), diags);
  }

  private String kindOf(Element e) {
    if (e instanceof Element.Call c) return c.op().text();
    if (e instanceof Element.Residual) return "res";
    return "repeat";
  }

  private void layerCall(Element.Call c, String name, Map<String, Long> env, Diagnostics diags, List<RNode> out) {
    String op = c.op().text();
    if (Registry.find(op).isEmpty()) {
      unknownLayer(c.op(), root); // a property of the text, reported once however often a block is used
      out.add(new RNode.Unresolved(name, c.span(), diags));
      return;
    }
    if (++layers > MAX_LAYERS) {
      // Each repeat count was within the limit, but their product (nested repeats, repeated blocks) is not.
      root.error("too-large", top.span(), "this expands to more than " + String.format("%,d", MAX_LAYERS)
          + " layers, more than cnnc expands", "check the repeat counts (`* n`, `repeat n { … }`) and the blocks they repeat");
      out.add(new RNode.Unresolved(name, c.span(), diags));
      return;
    }
    out.add(new RNode.Layer(name, op, args(c.args(), env, diags), c.span(), diags));
  }

  private void unknownLayer(Ident op, Diagnostics diags) {
    List<String> known = new ArrayList<>(Registry.names());
    known.addAll(blocks.keySet());
    String near = Spelling.nearest(op.text(), known);
    List<String> help = new ArrayList<>();
    if (near != null) help.add("did you mean `" + near + "`?");
    help.add("layers: " + String.join(", ", Registry.names()) + ", residual, repeat"
        + (blocks.isEmpty() ? "" : "; blocks: " + String.join(", ", blocks.keySet())));
    diags.add(dev.cnnc.compiler.diag.Severity.ERROR, "unknown-layer", op.span(),
        "unknown layer `" + op.text() + "`", help);
  }

  private void blockCall(Element.Call c, String name, Map<String, Long> env, Diagnostics diags, List<RNode> out) {
    Decl.Block block = blocks.get(c.op().text());
    if (expanding.contains(block.name().text())) {
      List<String> cycle = new ArrayList<>(expanding.subList(expanding.indexOf(block.name().text()), expanding.size()));
      cycle.add(block.name().text());
      diags.error("recursive-block", c.op().span(), "block `" + block.name() + "` uses itself: "
          + String.join(" → ", cycle), "blocks cannot call themselves, directly or through other blocks; use `* n` or `repeat n { … }` to repeat layers");
      out.add(new RNode.Unresolved(name, c.span(), diags));
      return;
    }
    if (expanding.size() >= MAX_BLOCK_DEPTH) {
      diags.error("too-large", c.op().span(), "blocks are used inside blocks more than " + MAX_BLOCK_DEPTH + " deep here",
          "flatten the structure: a block can repeat layers with `* n` or `repeat n { … }`");
      out.add(new RNode.Unresolved(name, c.span(), diags));
      return;
    }
    Map<String, Long> inner = badBlocks.contains(block.name().text()) ? null : bindParams(c, block, env, diags);
    if (inner == null) {
      out.add(new RNode.Unresolved(name, c.span(), diags));
      return;
    }
    Diagnostics within = diags.within("in `" + name + "`, a use of block `" + block.name() + "` at line "
        + c.span().line() + " with " + describe(inner));
    expanding.add(block.name().text());
    out.addAll(chain(block.body(), inner, new Scope(name + ".", block.body()), within));
    expanding.remove(expanding.size() - 1);
  }

  private static String describe(Map<String, Long> env) {
    if (env.isEmpty()) return "no parameters";
    List<String> parts = new ArrayList<>();
    env.forEach((k, v) -> parts.add(k + " = " + v));
    return String.join(", ", parts);
  }

  private Map<String, Long> bindParams(Element.Call c, Decl.Block block, Map<String, Long> env, Diagnostics diags) {
    List<Ident> params = block.params();
    Map<String, Long> bound = new LinkedHashMap<>();
    int positional = 0;
    boolean ok = true;
    for (Arg a : c.args()) {
      String key;
      if (a.key().isPresent()) {
        key = a.key().get().text();
        if (params.stream().noneMatch(p -> p.text().equals(key))) {
          diags.error("unknown-argument", a.span(), "block `" + block.name() + "` has no parameter `" + key + "`",
              "its parameters: " + paramList(block));
          ok = false;
          continue;
        }
      } else if (positional < params.size()) {
        key = params.get(positional++).text();
      } else {
        positional++;
        continue;
      }
      Optional<Long> v = eval(a.value(), env, diags);
      if (v.isEmpty()) {
        ok = false;
      } else if (bound.put(key, v.get()) != null) {
        diags.error("argument-count", a.span(), "parameter `" + key + "` of block `" + block.name() + "` is given twice");
        ok = false;
      }
    }
    if (positional > params.size() || (ok && bound.size() != params.size())) {
      diags.error("argument-count", c.span(), "block `" + block.name() + "` takes " + params.size()
              + " argument" + (params.size() == 1 ? "" : "s") + " (" + paramList(block) + "), got " + c.args().size(),
          "it is declared at line " + block.span().line() + ": `block " + block.name() + "(" + paramList(block) + ")`");
      return null;
    }
    return ok ? bound : null;
  }

  private static String paramList(Decl.Block block) {
    return String.join(", ", block.params().stream().map(Ident::text).toList());
  }

  private void residual(Element.Residual r, String name, Map<String, Long> env, Scope scope, Diagnostics diags,
      List<RNode> out) {
    String kind = "identity";
    for (Arg a : r.args()) {
      String word = a.value() instanceof Expr.Name n ? n.name().text() : null;
      boolean keyOk = a.key().isEmpty() || a.key().get().text().equals("shortcut");
      String normal = word == null ? null : switch (word) {
        case "identity" -> "identity";
        case "projection", "B" -> "projection";
        case "zeropad", "A" -> "zeropad";
        default -> null;
      };
      if (!keyOk || normal == null) {
        diags.error("unknown-argument", a.span(), "`residual` takes the shortcut kind: identity, projection or zeropad",
            "e.g. `residual(projection) { … }` (conv k1 + bn) or `residual(zeropad) { … }` (ResNet option A)");
        kind = "unknown";
        break;
      }
      kind = normal;
    }
    if (r.shortcut().isPresent() && !kind.equals("unknown")) kind = "custom";
    String qualified = scope.qualify(name);
    List<RNode> body = chain(r.body(), env, scope, diags);
    Optional<List<RNode>> shortcut = r.shortcut().map(s ->
        chain(s, env, new Scope(qualified + ".shortcut.", s), diags));
    out.add(new RNode.Residual(qualified, kind, body, shortcut, qualified + ".shortcut.", r.span(), diags));
  }

  private List<ArgValue> args(List<Arg> args, Map<String, Long> env, Diagnostics diags) {
    List<ArgValue> out = new ArrayList<>();
    for (Arg a : args) {
      out.add(new ArgValue(a.key().map(Ident::text), value(a.value(), env, diags), a.span()));
    }
    return out;
  }

  /**
   * A bare name that is not a parameter stays a name (a flag or shorthand for the op to read).
   * An expression that cannot be computed is reported here and kept as {@link Value.Invalid}, so
   * the op does not miscount its arguments.
   */
  private Value value(Expr e, Map<String, Long> env, Diagnostics diags) {
    if (e instanceof Expr.Name n && !env.containsKey(n.name().text())) return new Value.Name(n.name().text());
    if (e instanceof Expr.Str s) return new Value.Str(s.value());
    if (e instanceof Expr.FloatLit f) return new Value.Real(f.value(), f.text());
    if (e instanceof Expr.Neg n && n.operand() instanceof Expr.FloatLit f) {
      return new Value.Real(-f.value(), "-" + f.text());
    }
    return eval(e, env, diags).<Value>map(Value.Int::new).orElseGet(Value.Invalid::new);
  }

  /** Integer arithmetic over literals and parameters; reports and returns empty on any problem. */
  private Optional<Long> eval(Expr e, Map<String, Long> env, Diagnostics diags) {
    if (e instanceof Expr.IntLit i) {
      try {
        return Optional.of(Long.parseLong(i.text()));
      } catch (NumberFormatException x) {
        diags.error("argument-value", i.span(), "`" + i.text() + "` is too large");
        return Optional.empty();
      }
    }
    if (e instanceof Expr.Name n) {
      Long v = env.get(n.name().text());
      if (v == null) {
        root.error("undeclared-parameter", n.span(), "`" + n.name() + "` is not a declared parameter",
            "inside a block, declare it: `block name(" + n.name() + ") { … }`; elsewhere write a number");
        return Optional.empty();
      }
      return Optional.of(v);
    }
    if (e instanceof Expr.Neg n) return eval(n.operand(), env, diags).map(v -> -v);
    if (e instanceof Expr.Binary b) {
      Optional<Long> l = eval(b.left(), env, diags);
      Optional<Long> r = eval(b.right(), env, diags);
      if (l.isEmpty() || r.isEmpty()) return Optional.empty();
      try {
        return Optional.of(switch (b.op()) {
          case '+' -> Math.addExact(l.get(), r.get());
          case '-' -> Math.subtractExact(l.get(), r.get());
          case '*' -> Math.multiplyExact(l.get(), r.get());
          default -> {
            if (r.get() == 0) {
              diags.error("argument-value", b.span(), "division by zero");
              yield null;
            }
            yield Math.floorDiv(l.get(), r.get());
          }
        });
      } catch (ArithmeticException x) {
        diags.error("argument-value", b.span(), "the result is too large");
        return Optional.empty();
      } catch (NullPointerException x) {
        return Optional.empty();
      }
    }
    String what = e instanceof Expr.FloatLit f ? "`" + f.text() + "`" : "a string";
    diags.error("argument-type", e.span(), "expected a whole number here, got " + what);
    return Optional.empty();
  }

  /** Names within one block use, repeat iteration or the network body. */
  private static final class Scope {
    private final String prefix;
    private final Map<String, Integer> counters = new HashMap<>();
    private final List<String> labels = new ArrayList<>();

    Scope(String prefix, Chain body) {
      this.prefix = prefix;
      collectLabels(body);
    }

    private void collectLabels(Chain chain) {
      for (Element e : chain.elements()) {
        e.label().ifPresent(l -> labels.add(l.text()));
        if (e instanceof Element.Residual r) collectLabels(r.body());
      }
    }

    String autoName(String kind) {
      while (true) {
        int n = counters.merge(kind, 1, Integer::sum) - 1;
        String name = kind + "_" + n;
        if (!labels.contains(name)) return name;
      }
    }

    String qualify(String name) {
      return prefix + name;
    }
  }
}
