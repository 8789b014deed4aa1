// Walks the resolved network from its input, binds every layer to its static shapes (inferring
// omitted arguments) and builds the IR graph, reporting every shape error it can reach.
package dev.cnnc.compiler.shape;

import dev.cnnc.compiler.diag.Diagnostics;
import dev.cnnc.compiler.diag.Span;
import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.ir.Node;
import dev.cnnc.compiler.ops.Add;
import dev.cnnc.compiler.ops.Args;
import dev.cnnc.compiler.ops.BatchNorm;
import dev.cnnc.compiler.ops.Binding;
import dev.cnnc.compiler.ops.Conv;
import dev.cnnc.compiler.ops.Input;
import dev.cnnc.compiler.ops.Op;
import dev.cnnc.compiler.ops.Registry;
import dev.cnnc.compiler.ops.Shape;
import dev.cnnc.compiler.ops.Step;
import dev.cnnc.compiler.ops.Trail;
import dev.cnnc.compiler.ops.Window;
import dev.cnnc.compiler.ops.ZeroPadShortcut;
import dev.cnnc.compiler.resolve.RNode;
import dev.cnnc.compiler.resolve.ResolvedSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A layer whose output shape cannot be known (bad arguments, a window that does not fit) stops
 * shape checking of its chain, and the layers after it are checked for what does not depend on
 * shapes (their arguments); errors that leave the shape known (a channel or feature count that
 * disagrees with the input) are reported and checking goes on. So one run shows every
 * independent error, and none that only echoes another.
 */
public final class ShapeChecker {
  /** What can be checked without knowing a layer's input shape. */
  private static final Set<String> ARGUMENT_CODES = Set.of(
      "argument-count", "argument-type", "argument-value", "unknown-argument", "duplicate-argument",
      "undeclared-parameter");
  /** Stands in for the unknown input of a layer after a broken one; its shape errors are dropped. */
  private static final Shape UNKNOWN = Shape.chw(1, 1, 1);

  private final Diagnostics root;
  private final List<Node> nodes = new ArrayList<>();
  private boolean broken;

  private ShapeChecker(Diagnostics diagnostics) {
    this.root = diagnostics;
  }

  /** The IR graph, or empty when an error left part of the network unchecked. */
  public static Optional<Graph> check(ResolvedSpec spec, Diagnostics diagnostics) {
    return new ShapeChecker(diagnostics).run(spec);
  }

  private Optional<Graph> run(ResolvedSpec spec) {
    if (spec.input().isEmpty()) {
      argumentsOnly(spec.body());
      return Optional.empty();
    }
    Shape input = spec.input().get();
    nodes.add(new Node(0, "input", new Input(input), List.of(), spec.span()));
    Cursor end = chain(spec.body(), new Cursor(0, Trail.start(new Step("input", "input", input))));
    if (end == null || broken) return Optional.empty();
    Shape out = nodes.get(end.node).output();
    if (!out.isFlat()) {
      root.warning("output-not-flat", spec.span(),
          "network `" + spec.network() + "` ends with a " + out + " feature map, not a vector of class scores",
          "end with `-> flatten -> fc(10)` or `-> gap -> fc(10)` to train it as a classifier");
    }
    Graph graph = new Graph(spec.network(), root.source().name(), nodes, spec.train());
    if (spec.train().batch().orElse(0) == 1) batchOfOne(graph);
    return Optional.of(graph);
  }

  /** The train section's `batch 1` cannot train a batch norm that sees one value per channel of an image. */
  private void batchOfOne(Graph graph) {
    for (Node n : graph.nodes()) {
      if (!(n.op() instanceof BatchNorm bn) || !bn.oneValuePerChannel()) continue;
      root.error("batch-of-one", n.span(), "`" + n.name() + "` normalises one value per channel of an image ("
              + bn.valuesPerImage() + "), and the train section's `batch 1` gives it one image a step, whose value has no"
              + " variance to normalise by",
          "train with `batch 2` or more (PyTorch refuses a batch of one here too), or put the batch norm where"
              + " it sees a map larger than 1×1");
    }
  }

  /** Where a chain has got to: the node that holds its current value, and how it got there. */
  private record Cursor(int node, Trail trail) {
    Cursor then(int id, Step step) {
      return new Cursor(id, trail.then(step));
    }
  }

  private Cursor chain(List<RNode> body, Cursor at) {
    Cursor cur = at;
    for (int i = 0; i < body.size(); i++) {
      RNode n = body.get(i);
      cur = n instanceof RNode.Layer l ? layer(l, cur)
          : n instanceof RNode.Residual r ? residual(r, cur)
          : null; // unresolved: its error is reported, and the shape after it is unknown
      if (cur == null) {
        broken = true;
        argumentsOnly(body.subList(i + 1, body.size()));
        return null;
      }
    }
    return cur;
  }

  /** Binds each layer to a stand-in input, keeping only the diagnostics about its arguments. */
  private void argumentsOnly(List<RNode> body) {
    for (RNode n : body) {
      if (n instanceof RNode.Layer l) {
        Registry.Entry entry = Registry.find(l.op()).orElseThrow();
        Diagnostics quiet = l.diagnostics().only(ARGUMENT_CODES);
        Args args = new Args(l.op(), entry.usage(), l.args(), quiet, l.span());
        entry.bind().apply(new Binding(l.name(), l.op(), args, UNKNOWN, l.span(), quiet, null));
      } else if (n instanceof RNode.Residual r) {
        argumentsOnly(r.body());
        r.shortcut().ifPresent(this::argumentsOnly);
      }
    }
  }

  private Cursor layer(RNode.Layer l, Cursor at) {
    Registry.Entry entry = Registry.find(l.op()).orElseThrow();
    Shape in = nodes.get(at.node).output();
    Args args = new Args(l.op(), entry.usage(), l.args(), l.diagnostics(), l.span());
    Binding b = new Binding(l.name(), l.op(), args, in, l.span(), l.diagnostics(), at.trail);
    Op op = entry.bind().apply(b);
    if (op == null) return null;
    return add(l.name(), op, List.of(at.node), l.span(), at);
  }

  /** Names are unique: the resolver rejects a label used twice in a chain, and scopes the rest. */
  private Cursor add(String name, Op op, List<Integer> inputs, Span span, Cursor at) {
    int id = nodes.size();
    nodes.add(new Node(id, name, op, inputs, span));
    return at.then(id, new Step(name, op.describe(), op.output()));
  }

  private Cursor residual(RNode.Residual r, Cursor at) {
    Shape x = nodes.get(at.node).output();
    Cursor body = chain(r.body(), at);
    if (body == null || r.kind().equals("unknown")) {
      r.shortcut().ifPresent(this::argumentsOnly);
      return null;
    }
    Shape y = nodes.get(body.node).output();
    Diagnostics d = r.diagnostics();
    Cursor shortcut = switch (r.kind()) {
      case "custom" -> chain(r.shortcut().orElseThrow(), at);
      case "projection" -> projection(r, at, x, y);
      case "zeropad" -> zeropad(r, at, x, y);
      default -> at;
    };
    if (shortcut == null) return null;
    Shape s = nodes.get(shortcut.node).output();
    if (!s.equals(y)) {
      String carried = r.kind().equals("identity") ? "the identity shortcut carries " + s
          : "its shortcut gives " + s;
      d.error("residual-mismatch", r.span(),
          "the branch of residual `" + r.name() + "` gives " + y + ", but " + carried,
          "a residual block adds its branch to its shortcut, so both must have the same C×H×W",
          r.kind().equals("identity")
              ? "use `residual(projection) { … }` (conv k1 + bn) or `residual(zeropad) { … }` (stride and zero channels, ResNet option A) when the branch changes the shape"
              : "make the branch and shortcut end in the same shape");
      return null;
    }
    int id = nodes.size();
    nodes.add(new Node(id, r.name(), new Add(y), List.of(body.node, shortcut.node), r.span()));
    return body.then(id, new Step(r.name(), "add", y));
  }

  /** A 1×1 conv with the stride that maps x's size to y's, then batch norm. */
  private Cursor projection(RNode.Residual r, Cursor at, Shape x, Shape y) {
    int stride = stride(r, x, y);
    if (stride == 0) return null;
    Conv conv = new Conv(x, Shape.chw(y.channels(), y.h(), y.w()), Window.of(1, stride, 1, 0),
        Window.of(1, stride, 1, 0), false);
    Cursor c = add(r.scope() + "0", conv, List.of(at.node), r.span(), at);
    return add(r.scope() + "1", new BatchNorm(conv.output(), 1e-5, 0.1), List.of(c.node), r.span(), c);
  }

  private Cursor zeropad(RNode.Residual r, Cursor at, Shape x, Shape y) {
    int stride = stride(r, x, y);
    if (stride == 0) return null;
    if (y.channels() < x.channels()) {
      r.diagnostics().error("residual-mismatch", r.span(),
          "a zeropad shortcut can only add channels, but the branch of `" + r.name() + "` goes from "
              + x.channels() + " to " + y.channels(),
          "use `residual(projection) { … }` to reduce channels");
      return null;
    }
    ZeroPadShortcut op = new ZeroPadShortcut(x, y, stride);
    return add(r.scope() + "pad", op, List.of(at.node), r.span(), at);
  }

  /**
   * The smallest stride s with ceil(x / s) = y on both axes, or 0 after reporting that none
   * exists. ceil(x / s) falls as s grows, so the strides giving y on one axis are a range that
   * starts at ceil(x / y); the smallest common one is the larger start, if it fits both.
   */
  private int stride(RNode.Residual r, Shape x, Shape y) {
    if (x.isMap() && y.isMap()) {
      long s = Math.max(ceilDiv(x.h(), y.h()), ceilDiv(x.w(), y.w()));
      if (ceilDiv(x.h(), s) == y.h() && ceilDiv(x.w(), s) == y.w()) return (int) s;
    }
    r.diagnostics().error("residual-mismatch", r.span(),
        "the branch of residual `" + r.name() + "` turns " + x + " into " + y
            + ", which no strided shortcut can match",
        "a shortcut samples every s-th pixel, giving ceil(H/s)×ceil(W/s); make the branch's spatial size "
            + "one of those, or write the shortcut yourself: `residual { … } shortcut { … }`");
    return 0;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
