// The network's input: one image of (C, H, W).
package dev.cnnc.compiler.ops;

public record Input(Shape output) implements Op {
  @Override
  public Shape input() {
    return output;
  }

  @Override
  public String kind() {
    return "input";
  }

  @Override
  public String describe() {
    return "input";
  }
}
