// Top-level declarations of a spec file.
package dev.cnnc.compiler.ast;

import dev.cnnc.compiler.diag.Span;
import java.util.List;
import java.util.Optional;

public sealed interface Decl {
  Span span();

  /** {@code network Name { input CxHxW  chain }}. */
  record Network(Ident name, Optional<Input> input, Optional<Chain> body, Span span)
      implements Decl {}

  /** {@code input 3x32x32}; dims as written (C, H, W), each with its text for overflow checks. */
  record Input(List<String> dims, Span span) {}

  /** {@code block name(p, q) { chain }}. */
  record Block(Ident name, List<Ident> params, Chain body, Span span) implements Decl {}

  /** {@code train { key value, value ... }}. */
  record Train(List<Setting> settings, Span span) implements Decl {}

  /** One line of the train section: a key and one or more values. */
  record Setting(Ident key, List<SettingValue> values, Span span) {}

  /** A setting value: a plain value ({@code 10}, {@code flip}) or a call ({@code sgd(lr: 0.1)}). */
  sealed interface SettingValue {
    Span span();
  }

  record PlainValue(Expr value) implements SettingValue {
    public Span span() {
      return value.span();
    }
  }

  record CallValue(Ident name, List<Arg> args, Span span) implements SettingValue {}
}
