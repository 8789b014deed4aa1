// softmax over the features of a flat input. As the last layer it fuses into the training loss.
package dev.cnnc.compiler.ops;

public record Softmax(Shape input) implements Op {
  public static final String USAGE = "softmax";

  static Op bind(Binding b) {
    b.args().finish();
    if (b.args().failed()) return null;
    if (!b.input().isFlat()) {
      b.error("needs-flat", "`" + b.name() + "` (softmax) needs a flat input, but its input is " + b.input(),
          "add `-> flatten` or `-> gap` before it");
      return null;
    }
    return new Softmax(b.input());
  }

  @Override
  public Shape output() {
    return input;
  }

  @Override
  public String kind() {
    return "softmax";
  }

  @Override
  public String describe() {
    return "softmax";
  }
}
