// Batch normalisation: bn, bn(C), bn(eps: 1e-5, momentum: 0.1). Per channel of a map, or per feature.
package dev.cnnc.compiler.ops;

import java.util.List;
import java.util.Locale;

/** Weight and bias (C), running_mean and running_var (C), as PyTorch's BatchNorm2d / BatchNorm1d. */
public record BatchNorm(Shape input, double eps, double momentum) implements Op {
  public static final String USAGE = "bn, bn(C), bn(eps: 1e-5, momentum: 0.1)";

  static Op bind(Binding b) {
    Args a = b.args();
    List<Long> c = a.ints("channels", 0, 1);
    double eps = a.number("eps").orElse(1e-5);
    double momentum = a.number("momentum").orElse(0.1);
    a.finish();
    if (a.failed()) return null;
    if (!c.isEmpty() && c.get(0) != b.input().channels()) {
      b.diagnostics().error("channel-mismatch", a.positionalSpan(0),
          "`" + b.name() + "` expects " + c.get(0) + " channels, but its input has " + b.input().channels()
              + " (" + b.input() + ")",
          "how the shape got here: " + b.journey(),
          "write `bn(" + b.input().channels() + ")`, or just `bn`");
    }
    if (!(eps > 0)) a.invalid(a.spanOf("eps"), "eps must be positive, got " + eps);
    if (!(momentum >= 0 && momentum <= 1)) a.invalid(a.spanOf("momentum"), "momentum must be within [0, 1], got " + momentum);
    return a.failed() ? null : new BatchNorm(b.input(), eps, momentum);
  }

  public int channels() {
    return input.channels();
  }

  @Override
  public Shape output() {
    return input;
  }

  @Override
  public String kind() {
    return "bn";
  }

  @Override
  public String describe() {
    return String.format(Locale.ROOT, "bn eps %s", eps);
  }

  @Override
  public List<Tensor> params() {
    int[] c = {channels()};
    return List.of(new Tensor("weight", c, false, Tensor.Init.ONES), new Tensor("bias", c, false, Tensor.Init.ZEROS));
  }

  @Override
  public List<Tensor> buffers() {
    int[] c = {channels()};
    return List.of(new Tensor("running_mean", c, false, Tensor.Init.ZEROS),
        new Tensor("running_var", c, false, Tensor.Init.ONES));
  }

  @Override
  public long macs() {
    return 0;
  }
}
