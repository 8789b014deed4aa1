// Random valid networks for differential tests: a seeded generator that writes spec text mixing
// every op, padding mode, stride, dilation, fusion, residual form and head at sizes that cross the
// Java backend's path thresholds (8 input channels, 64 and 256 output pixels, 16-float vectors,
// fc layers of 2^18 weights).
package dev.cnnc.compiler.check;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

final class RandomNets {
  /** Multiply-adds per image above which a network is cut short: the double reference is slow. */
  static final long MAX_MACS = 1_500_000;

  private final SplittableRandom r;
  private final List<String> lines = new ArrayList<>();
  private int c;
  private int h;
  private int w;
  private boolean flat;
  private long macs;
  private int names;

  private RandomNets(long seed) {
    this.r = new SplittableRandom(seed);
  }

  /** The spec text of network {@code seed}: the same seed gives the same text. */
  static String spec(long seed) {
    return new RandomNets(seed).generate(seed);
  }

  private String generate(long seed) {
    c = pick(1, 2, 3, 3, 4, 8, 9, 16);
    h = r.nextInt(4) == 0 ? 1 + r.nextInt(6) : 4 + r.nextInt(30);
    w = r.nextInt(5) == 0 ? 1 + r.nextInt(6) : 4 + r.nextInt(30);
    String input = c + "x" + h + "x" + w;
    int layers = 1 + r.nextInt(5);
    for (int i = 0; i < layers && macs < MAX_MACS; i++) spatial(lines, true);
    head();
    StringBuilder b = new StringBuilder("network R").append(seed).append(" {\n  input ").append(input).append('\n');
    for (int i = 0; i < lines.size(); i++) b.append(i == 0 ? "  " : "  -> ").append(lines.get(i)).append('\n');
    return b.append("}\n").toString();
  }

  /** One layer (or a residual block) on a C×H×W map, appended to {@code out}. */
  private void spatial(List<String> out, boolean blocks) {
    int kind = r.nextInt(blocks ? 10 : 8);
    switch (kind) {
      case 0, 1, 2, 3 -> out.add(conv(pick(1, 2, 3, 4, 5, 7, 8, 12, 16, 17, 24, 33)) + epilogue());
      case 4 -> out.add(pool());
      case 5 -> out.add(activation());
      case 6 -> out.add(r.nextBoolean() ? "bn" + bnArgs() : "dropout(" + word("0.2", "0.5") + ")");
      case 7 -> out.add(conv(c) + epilogue());
      default -> residual(out);
    }
  }

  /** What may follow a conv in the same chain: bn, an activation, both, or nothing. */
  private String epilogue() {
    return switch (r.nextInt(5)) {
      case 0 -> "";
      case 1 -> " -> " + activation();
      case 2 -> " -> bn" + bnArgs();
      default -> " -> bn" + bnArgs() + " -> " + activation();
    };
  }

  private String bnArgs() {
    return r.nextInt(4) == 0 ? "(eps: 1e-3, momentum: 0.3)" : "";
  }

  private String activation() {
    return switch (r.nextInt(6)) {
      case 0, 1 -> "relu";
      case 2 -> "leaky_relu(" + word("0.1", "0.2", "1.5") + ")";
      case 3 -> "gelu";
      case 4 -> "tanh";
      default -> "sigmoid";
    };
  }

  /** A conv to {@code out} channels; the window is chosen so that the map keeps at least one pixel. */
  private String conv(int out) {
    for (int attempt = 0; attempt < 20; attempt++) {
      int k = pick(1, 1, 2, 3, 3, 3, 3, 4, 5);
      int s = r.nextInt(4) == 0 ? pick(2, 2, 3) : 1;
      int d = k > 1 && r.nextInt(6) == 0 ? 2 : 1;
      int span = d * (k - 1) + 1;
      int mode = r.nextInt(6);
      int p = mode == 0 ? 0 : Math.min(r.nextInt(span / 2 + 2), span - 1);
      int oh;
      int ow;
      String pad;
      if (mode == 1) {
        oh = ceil(h, s);
        ow = ceil(w, s);
        pad = ", same";
      } else if (mode == 2) {
        oh = (h - span) / s + 1;
        ow = (w - span) / s + 1;
        pad = ", valid";
        if (h < span || w < span) continue;
      } else {
        if (h + 2 * p < span || w + 2 * p < span) continue;
        oh = (h + 2 * p - span) / s + 1;
        ow = (w + 2 * p - span) / s + 1;
        pad = p > 0 ? ", p" + p : "";
      }
      StringBuilder b = new StringBuilder(name()).append(": conv(");
      if (r.nextInt(3) == 0) b.append(c).append(", ");
      b.append(out).append(", k").append(k);
      if (s > 1) b.append(", s").append(s);
      if (d > 1) b.append(", d").append(d);
      b.append(pad);
      if (r.nextInt(4) == 0) b.append(", nobias");
      macs += (long) out * oh * ow * c * k * k;
      c = out;
      h = oh;
      w = ow;
      return b.append(')').toString();
    }
    macs += (long) out * h * w * c;
    c = out;
    return name() + ": conv(" + out + ", k1)";
  }

  /** A max or average pool whose windows each hold at least one input pixel. */
  private String pool() {
    String op = r.nextInt(3) == 0 ? "avgpool" : "pool";
    int k = pick(2, 2, 3, 4);
    int s = r.nextInt(2) == 0 ? k : pick(1, 2, 3);
    int d = op.equals("pool") && k > 1 && r.nextInt(5) == 0 ? 2 : 1;
    int span = d * (k - 1) + 1;
    int p = r.nextInt(2) == 0 ? 0 : r.nextInt(k / 2 + 1);
    if (h + 2 * p < span || w + 2 * p < span) return activation();
    StringBuilder b = new StringBuilder(op).append("(k").append(k);
    if (s != k) b.append(", s").append(s);
    if (d > 1) b.append(", d").append(d);
    if (p > 0) b.append(", p").append(p);
    h = (h + 2 * p - span) / s + 1;
    w = (w + 2 * p - span) / s + 1;
    return b.append(')').toString();
  }

  /** A residual block: identity, projection, zero-padded or custom shortcut, one or two convs inside. */
  private void residual(List<String> out) {
    int form = r.nextInt(4);
    int inC = c;
    int inH = h;
    int inW = w;
    String body;
    String opening;
    String shortcut = "";
    if (form == 0 || h < 2 || w < 2) {
      opening = "residual {";
      body = name() + ": conv(" + c + ", k3, p1)" + epilogue() + " -> " + name() + ": conv(" + c + ", k" + pick(1, 3) + ", same)";
    } else if (form == 3) {
      opening = "residual {";
      body = name() + ": conv(" + c + ", k3, p1) -> " + activation();
      shortcut = " shortcut { " + (r.nextBoolean() ? "avgpool(k3, s1, p1)" : activation()) + " }";
    } else {
      int s = r.nextBoolean() ? 2 : 1;
      int outC = form == 2 ? c + pick(0, 1, 4, c) : pick(4, 8, 16, 17);
      opening = "residual(" + (form == 1 ? "projection" : "zeropad") + ") {";
      body = name() + ": conv(" + outC + ", k3, s" + s + ", p1, nobias) -> bn -> relu -> " + name() + ": conv(" + outC
          + ", k3, p1) -> bn";
      c = outC;
      h = ceil(inH, s);
      w = ceil(inW, s);
    }
    macs += 2L * 9 * c * h * w * Math.max(c, inC);
    out.add(name() + ": " + opening + " " + body + " }" + shortcut + (r.nextBoolean() ? " -> relu" : ""));
  }

  /**
   * gap or flatten, then zero to two hidden fc layers and the classifier; or, one time in five, an
   * all-convolutional end (a 1×1 conv to the classes, then gap). The classifier may be followed by a
   * batch norm, dropout, an activation or a softmax.
   */
  private void head() {
    if (r.nextInt(5) == 0) {
      int classes = pick(2, 3, 10);
      lines.add(name() + ": conv(" + classes + ", k1)" + (r.nextBoolean() ? " -> bn" : "") + " -> gap");
      return;
    }
    boolean gap = r.nextInt(3) == 0 || (long) c * h * w > 4096;
    lines.add(gap ? "gap" : "flatten");
    int features = gap ? c : c * h * w;
    int hidden = r.nextInt(3);
    for (int i = 0; i < hidden; i++) {
      // now and then wide enough (2^18 weights) for the Java kernels to split features, not images
      int out = features >= 900 && r.nextInt(4) == 0 ? 300 : pick(3, 7, 10, 16, 17, 33);
      String layer = name() + ": fc(" + (r.nextBoolean() ? features + ", " : "") + out + (r.nextInt(4) == 0 ? ", nobias" : "") + ")";
      switch (r.nextInt(5)) {
        case 0 -> layer += " -> bn";
        case 1 -> layer += " -> dropout(0.3)";
        case 2 -> layer += " -> softmax";
        default -> { }
      }
      lines.add(layer + " -> " + activation());
      features = out;
    }
    int classes = pick(2, 3, 5, 10);
    String after = switch (r.nextInt(12)) {
      case 0 -> " -> softmax";
      case 1 -> " -> bn";
      case 2 -> " -> dropout(0.3)";
      case 3 -> " -> " + activation();
      default -> "";
    };
    lines.add(name() + ": fc(" + classes + ")" + after);
  }

  private String name() {
    return "l" + names++;
  }

  private static int ceil(int a, int b) {
    return (a + b - 1) / b;
  }

  @SafeVarargs
  private <T> T word(T... options) {
    return options[r.nextInt(options.length)];
  }

  private int pick(int... options) {
    return options[r.nextInt(options.length)];
  }
}
