// The network's input: one image of (C, H, W).
package dev.cnnc.compiler.ops;

import com.squareup.javapoet.CodeBlock;

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

  @Override
  public void referenceForward(Ref r) {
    throw new IllegalStateException("the input is given, not computed");
  }

  @Override
  public void referenceBackward(Ref r) {}

  @Override
  public CodeBlock javaForward(JavaGen k) {
    throw new IllegalStateException("the input is given, not computed");
  }

  @Override
  public CodeBlock javaBackward(JavaGen k) {
    return CodeBlock.of("");
  }
}
