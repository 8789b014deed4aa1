// The join of a residual block: the branch's output plus the shortcut's.
package dev.cnnc.compiler.ops;

public record Add(Shape input) implements Op {
  @Override
  public Shape output() {
    return input;
  }

  @Override
  public String kind() {
    return "add";
  }

  @Override
  public String describe() {
    return "add";
  }
}
