// 2-D convolution: conv(in, out, kK, sS, pP | same | valid, dD, nobias).
package dev.cnnc.compiler.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Weight (O, I, kH, kW) and optional bias (O), as PyTorch's Conv2d. */
public record Conv(Shape input, Shape output, Window h, Window w, boolean bias) implements Op {
  public static final String USAGE = "conv(in, out, k3, s1, p1 | same | valid, d1, nobias); `in` may be left out";

  static Op bind(Binding b) {
    Args a = b.args();
    List<Long> channels = a.ints("in, out", 1, 2);
    boolean bias = a.bias();
    Spatial.Result win = Spatial.read(b, OptionalLong.empty(), false, OptionalLong.empty());
    a.finish();
    long out = channels.isEmpty() ? 1 : channels.get(channels.size() - 1);
    if (out < 1) {
      a.invalid(a.positionalSpan(channels.size() - 1), "`" + b.name() + "` needs at least one output channel, got " + out);
    }
    if (win == null || a.failed() || channels.isEmpty()) return null;
    int in = b.input().channels();
    if (channels.size() == 2 && channels.get(0) != in) {
      b.diagnostics().error("channel-mismatch", a.positionalSpan(0),
          "`" + b.name() + "` expects " + channels.get(0) + " input channels, but its input has " + in
              + " (" + b.input() + ")",
          "how the shape got here: " + b.journey(),
          "write `conv(" + in + ", " + out + ", …)`, or leave the input count out: `conv(" + out + ", …)`");
    }
    if (!Limits.check(b, "weight", Limits.product(out, in, win.h().k(), win.w().k()))
        || !Limits.check(b, "output", Limits.product(out, win.outH(), win.outW()))) {
      return null;
    }
    return new Conv(b.input(), Shape.chw((int) out, win.outH(), win.outW()), win.h(), win.w(), bias);
  }

  public int inC() {
    return input.channels();
  }

  public int outC() {
    return output.channels();
  }

  @Override
  public String kind() {
    return "conv";
  }

  @Override
  public String describe() {
    return "conv " + inC() + "→" + outC() + " " + new Spatial.Result(h, w, output.h(), output.w()).describe()
        + (bias ? "" : " nobias");
  }

  @Override
  public List<Tensor> params() {
    List<Tensor> p = new ArrayList<>();
    p.add(new Tensor("weight", new int[] {outC(), inC(), h.k(), w.k()}, true, Tensor.Init.KAIMING_UNIFORM));
    if (bias) p.add(new Tensor("bias", new int[] {outC()}, false, Tensor.Init.FAN_IN_BIAS));
    return p;
  }

  @Override
  public long macs() {
    return (long) output.channels() * output.h() * output.w() * inC() * h.k() * w.k();
  }
}
