// Fully connected layer: fc(in, out, nobias) or fc(out). Needs a flat input.
package dev.cnnc.compiler.ops;

import java.util.ArrayList;
import java.util.List;

/** Weight (out, in) and optional bias (out), as PyTorch's Linear. */
public record Fc(Shape input, Shape output, boolean bias) implements Op {
  public static final String USAGE = "fc(in, out, nobias) or fc(out) to infer the input size";

  static Op bind(Binding b) {
    Args a = b.args();
    List<Long> sizes = a.ints("in, out", 1, 2);
    boolean bias = a.bias();
    a.finish();
    if (a.failed() || sizes.isEmpty()) return null;
    long out = sizes.get(sizes.size() - 1);
    if (out < 1) {
      a.invalid(a.positionalSpan(sizes.size() - 1), "`" + b.name() + "` needs at least one output, got " + out);
      return null;
    }
    Shape in = b.input();
    if (in.isMap()) {
      b.error("needs-flat",
          "`" + b.name() + "` needs a flat input, but its input is " + in + " (C×H×W)",
          "add `-> flatten` before it: flatten gives " + in.channels() + "·" + in.h() + "·" + in.w()
              + " = " + in.size() + " features",
          "or `-> gap` (global average pooling) for " + in.channels() + " features");
      in = Shape.flat((int) in.size());
    }
    if (sizes.size() == 2 && sizes.get(0) != in.size()) {
      b.diagnostics().add(dev.cnnc.compiler.diag.Severity.ERROR, "fc-input-mismatch", a.call(),
          "`" + b.name() + "` expects " + sizes.get(0) + " input features, but its input has " + in.size(),
          explainFeatures(b, in, sizes.get(0), out));
    }
    if (!Limits.check(b, "weight", Limits.product(out, in.size()))) return null;
    return new Fc(in, Shape.flat((int) out), bias);
  }

  /** Help lines that show where the feature count comes from: the seed article's bug, explained. */
  private static List<String> explainFeatures(Binding b, Shape in, long declared, long out) {
    List<String> help = new ArrayList<>();
    help.add("how the shape got here: " + b.journey());
    Shape map = lastMap(b);
    if (map != null) {
      String spatial = b.spatialJourney();
      if (spatial.contains("→")) {
        help.add("the spatial size goes " + spatial + ", so the last feature map is " + map);
      }
      if (map.size() == in.size()) {
        help.add("flattening " + map + " gives " + map.channels() + "·" + map.h() + "·" + map.w() + " = "
            + in.size() + " features, not " + declared);
      }
    }
    help.add("write `fc(" + in.size() + ", " + out + ")`, or `fc(" + out + ")` to infer the input size");
    return help;
  }

  private static Shape lastMap(Binding b) {
    List<Step> path = b.path();
    for (int i = path.size() - 1; i >= 0; i--) {
      Shape s = path.get(i).out();
      if (s.isMap()) return s;
    }
    return null;
  }

  @Override
  public String kind() {
    return "fc";
  }

  @Override
  public String describe() {
    return "fc " + input.size() + "→" + output.size() + (bias ? "" : " nobias");
  }

  @Override
  public List<Tensor> params() {
    List<Tensor> p = new ArrayList<>();
    p.add(new Tensor("weight", new int[] {output.channels(), input.channels()}, true, Tensor.Init.KAIMING_UNIFORM));
    if (bias) p.add(new Tensor("bias", new int[] {output.channels()}, false, Tensor.Init.FAN_IN_BIAS));
    return p;
  }

  @Override
  public long macs() {
    return (long) input.channels() * output.channels();
  }
}
