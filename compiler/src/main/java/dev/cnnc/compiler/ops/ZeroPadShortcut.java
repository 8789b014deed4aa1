// ResNet option A shortcut: take every s-th pixel and pad the channels with zeros,
// (C, H, W) → (C', ceil(H/s), ceil(W/s)) with (C' − C)/2 zero channels before (the rest after).
package dev.cnnc.compiler.ops;

public record ZeroPadShortcut(Shape input, Shape output, int stride) implements Op {
  /** Zero channels placed before the input's channels. */
  public int padBefore() {
    return (output.channels() - input.channels()) / 2;
  }

  @Override
  public String kind() {
    return "zeropad";
  }

  @Override
  public String describe() {
    return "zeropad s" + stride + " " + input.channels() + "→" + output.channels();
  }
}
