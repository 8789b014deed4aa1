// Reads a layer's arguments for its op, reporting wrong types, counts and unknown names.
package dev.cnnc.compiler.ops;

import dev.cnnc.compiler.diag.Diagnostics;
import dev.cnnc.compiler.diag.Span;
import dev.cnnc.compiler.resolve.Spelling;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Each accessor consumes the arguments it reads; {@link #finish()} reports whatever is left as
 * unknown. Shorthands like {@code k3} are read as the named argument {@code k: 3}.
 */
public final class Args {
  private static final Pattern SHORTHAND = Pattern.compile("([a-z])(\\d+)");

  private final String op;
  private final String usage;
  private final List<ArgValue> all;
  private final boolean[] used;
  private final Diagnostics diagnostics;
  private final Span call;
  private boolean failed;
  /** What {@link #ints} asked for; its count is checked in {@link #finish()}. */
  private String intsWhat;
  private int intsMin;
  private int intsMax;
  private final List<ArgValue> intsSeen = new ArrayList<>();
  /** Each named argument the op asked for (by its first key), with the argument that gave it, if any. */
  private final Map<String, Asked> asked = new LinkedHashMap<>();
  /** The bare words the op asked for ({@code same}, {@code nobias}), for suggestions. */
  private final Set<String> words = new LinkedHashSet<>();

  /** A named argument's keys ({@code k}, {@code kernel}) and the argument that gave it. */
  private static final class Asked {
    final String[] keys;
    ArgValue givenBy;

    Asked(String[] keys) {
      this.keys = keys;
    }
  }

  public Args(String op, String usage, List<ArgValue> all, Diagnostics diagnostics, Span call) {
    this.op = op;
    this.usage = usage;
    this.all = List.copyOf(all);
    this.used = new boolean[all.size()];
    this.diagnostics = diagnostics;
    this.call = call;
  }

  /** True when any argument was rejected; the op should not be built from guesses. */
  public boolean failed() {
    return failed;
  }

  public Span call() {
    return call;
  }

  /**
   * Positional integers (channel counts), between min and max of them. The count is checked by
   * {@link #finish()}, once it knows whether a bare name such as {@code c} stood for one.
   */
  public List<Long> ints(String what, int min, int max) {
    intsWhat = what;
    intsMin = min;
    intsMax = max;
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      ArgValue a = all.get(i);
      if (used[i] || a.key().isPresent() || a.value() instanceof Value.Name) continue;
      used[i] = true;
      intsSeen.add(a);
      if (a.value() instanceof Value.Int n) out.add(n.value());
      else typeError(a, "an integer (" + what + ")");
    }
    return out;
  }

  /** A positional number such as the p of {@code dropout(0.3)}. */
  public OptionalDouble real(String what) {
    for (int i = 0; i < all.size(); i++) {
      ArgValue a = all.get(i);
      if (used[i] || a.key().isPresent() || a.value() instanceof Value.Name) continue;
      used[i] = true;
      return number(a, what);
    }
    return OptionalDouble.empty();
  }

  /** {@code key: 3}, {@code key=3}, or the shorthand {@code k3} when the first key is one letter. */
  public OptionalLong integer(String... keys) {
    Asked named = ask(keys);
    for (int i = 0; i < all.size(); i++) {
      ArgValue a = all.get(i);
      if (used[i]) continue;
      if (a.key().isPresent() && matches(a.key().get(), keys)) {
        used[i] = true;
        named.givenBy = a;
        if (a.value() instanceof Value.Int n) return OptionalLong.of(n.value());
        typeError(a, "an integer");
        return OptionalLong.empty();
      }
      if (a.key().isEmpty() && a.value() instanceof Value.Name name) {
        Matcher m = SHORTHAND.matcher(name.name());
        if (m.matches() && m.group(1).equals(keys[0])) {
          used[i] = true;
          named.givenBy = a;
          try {
            return OptionalLong.of(Long.parseLong(m.group(2)));
          } catch (NumberFormatException e) {
            error("argument-value", a.span(), "`" + name.name() + "` is too large");
            return OptionalLong.empty();
          }
        }
      }
    }
    return OptionalLong.empty();
  }

  /**
   * A number written either way: positionally ({@code dropout(0.3)}) or by name
   * ({@code dropout(p: 0.3)}); written both ways, the positional one is reported as given twice.
   */
  public OptionalDouble realOrNamed(String what, String... keys) {
    OptionalDouble named = number(keys);
    if (named.isEmpty()) return real(what);
    for (int i = 0; i < all.size(); i++) {
      ArgValue a = all.get(i);
      if (used[i] || a.key().isPresent() || !(a.value() instanceof Value.Int || a.value() instanceof Value.Real)) continue;
      used[i] = true;
      error("duplicate-argument", a.span(), "`" + show(a) + "`: the " + what + " is already given (`"
          + show(asked.get(keys[0]).givenBy) + "`)", "give it once");
    }
    return named;
  }

  /** {@code key: 0.1}; integers are accepted as reals. */
  public OptionalDouble number(String... keys) {
    Asked named = ask(keys);
    for (int i = 0; i < all.size(); i++) {
      ArgValue a = all.get(i);
      if (!used[i] && a.key().isPresent() && matches(a.key().get(), keys)) {
        used[i] = true;
        named.givenBy = a;
        return number(a, keys[0]);
      }
    }
    return OptionalDouble.empty();
  }

  /** A bare word such as {@code same} or {@code nobias}. */
  public boolean flag(String word) {
    words.add(word);
    for (int i = 0; i < all.size(); i++) {
      ArgValue a = all.get(i);
      if (!used[i] && a.key().isEmpty() && a.value() instanceof Value.Name n && n.name().equals(word)) {
        used[i] = true;
        return true;
      }
    }
    return false;
  }

  /** {@code key: word} for a word-valued argument ({@code pad: same}, {@code bias: false}). */
  public Optional<ArgValue> word(String... keys) {
    Asked named = ask(keys);
    for (int i = 0; i < all.size(); i++) {
      ArgValue a = all.get(i);
      if (!used[i] && a.key().isPresent() && matches(a.key().get(), keys)
          && a.value() instanceof Value.Name) {
        used[i] = true;
        named.givenBy = a;
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /** {@code bias: false}, {@code bias: true} or the flag {@code nobias}; true by default. */
  public boolean bias() {
    boolean bias = !flag("nobias");
    Optional<ArgValue> named = word("bias");
    if (named.isPresent()) {
      String w = ((Value.Name) named.get().value()).name();
      if (w.equals("false")) bias = false;
      else if (!w.equals("true")) typeError(named.get(), "`true` or `false`");
    }
    return bias;
  }

  /**
   * Reports every argument no accessor consumed, and a wrong count of positional integers. A
   * leftover bare name where a required integer is missing ({@code conv(c, k3)} outside a
   * block) is reported as the undeclared parameter it most likely is, not as a miscount.
   */
  public void finish() {
    int positional = intsSeen.size();
    for (int i = 0; i < all.size(); i++) {
      if (used[i]) continue;
      ArgValue a = all.get(i);
      if (a.value() instanceof Value.Invalid) {
        failed = true;
        continue;
      }
      if (intsWhat != null && positional < intsMin && a.key().isEmpty() && a.value() instanceof Value.Name n
          && !SHORTHAND.matcher(n.name()).matches()) {
        positional++;
        error("undeclared-parameter", a.span(), "`" + n.name() + "` is not a declared parameter (`" + op
            + "` expects an integer (" + intsWhat + ") here)", undeclaredHelp(n.name()));
        continue;
      }
      String shown = show(a);
      Asked again = askedAgain(a);
      if (again != null) {
        String what = again.keys[0];
        for (String key : again.keys) if (key.length() > what.length()) what = key;
        what = what.replace('_', ' ');
        error("duplicate-argument", a.span(), "`" + shown + "`: the " + what + " is already given (`"
            + show(again.givenBy) + "`)", "give it once");
        continue;
      }
      if (a.key().isEmpty() && a.value() instanceof Value.Name n) {
        String near = nearestWord(n.name());
        error("unknown-argument", a.span(), "unknown argument `" + shown + "` for `" + op + "`",
            near != null ? "did you mean `" + near + "`?"
                : "if `" + n.name() + "` is meant to be a block parameter, " + undeclaredHelp(n.name()));
      } else {
        error("unknown-argument", a.span(), "unknown argument `" + shown + "` for `" + op + "`");
      }
    }
    if (intsWhat != null && (positional < intsMin || positional > intsMax)) {
      Span at = intsSeen.isEmpty() ? call : intsSeen.get(intsSeen.size() - 1).span();
      String expected = intsMin == intsMax ? Integer.toString(intsMin) : intsMin + " to " + intsMax;
      error("argument-count", at, "`" + op + "` takes " + expected + " positional argument"
          + (intsMax == 1 ? "" : "s") + " (" + intsWhat + "), got " + positional);
    }
  }

  private Asked ask(String[] keys) {
    return asked.computeIfAbsent(keys[0], k -> new Asked(keys));
  }

  /** The named argument, already given, that a leftover gives again ({@code k5} after {@code k3}); else null. */
  private Asked askedAgain(ArgValue a) {
    for (Asked named : asked.values()) {
      if (named.givenBy == null) continue;
      if (a.key().isPresent() && matches(a.key().get(), named.keys)) return named;
      if (a.key().isEmpty() && a.value() instanceof Value.Name n) {
        Matcher m = SHORTHAND.matcher(n.name());
        if (m.matches() && m.group(1).equals(named.keys[0])) return named;
      }
    }
    return null;
  }

  /**
   * The word the op takes that a leftover bare name most likely means: one it contains
   * ({@code psame}, a padding shorthand spelled out) or the nearest by spelling ({@code vaild}).
   */
  private String nearestWord(String name) {
    for (String w : words) if (name.contains(w)) return w;
    return Spelling.nearest(name, List.copyOf(words));
  }

  private static String show(ArgValue a) {
    return a.key().map(k -> k + ": " + a.value()).orElse(a.value().toString());
  }

  /** A value outside what the op accepts, such as a zero stride. */
  public void invalid(Span at, String message, String... help) {
    error("argument-value", at, message, help);
  }

  /** Where the argument with one of these keys was written (for pointing at it), else the call. */
  public Span spanOf(String... keys) {
    for (ArgValue a : all) {
      if (a.key().isPresent() && matches(a.key().get(), keys)) return a.span();
      if (a.value() instanceof Value.Name n) {
        Matcher m = SHORTHAND.matcher(n.name());
        if (m.matches() && m.group(1).equals(keys[0])) return a.span();
      }
    }
    return call;
  }

  /** Where the i-th positional argument was written, else the call. */
  public Span positionalSpan(int index) {
    int seen = 0;
    for (ArgValue a : all) {
      if (a.key().isPresent() || a.value() instanceof Value.Name) continue;
      if (seen++ == index) return a.span();
    }
    return call;
  }

  private OptionalDouble number(ArgValue a, String what) {
    if (a.value() instanceof Value.Int n) return OptionalDouble.of(n.value());
    if (a.value() instanceof Value.Real r) return OptionalDouble.of(r.value());
    typeError(a, "a number (" + what + ")");
    return OptionalDouble.empty();
  }

  private static boolean matches(String key, String[] keys) {
    for (String k : keys) if (k.equals(key)) return true;
    return false;
  }

  private void typeError(ArgValue a, String expected) {
    if (a.value() instanceof Value.Invalid) {
      failed = true; // its expression was reported when it was computed
      return;
    }
    if (a.value() instanceof Value.Name n) {
      error("undeclared-parameter", a.span(),
          "`" + n.name() + "` is not a declared parameter (`" + op + "` expects " + expected + " here)",
          undeclaredHelp(n.name()));
      return;
    }
    error("argument-type", a.span(),
        "`" + op + "` expects " + expected + " here, got `" + a.value() + "`");
  }

  private static String undeclaredHelp(String name) {
    return "inside a block, declare it: `block name(" + name + ") { … }`; elsewhere write a number";
  }

  private void error(String code, Span at, String message, String... help) {
    failed = true;
    List<String> lines = new ArrayList<>(List.of(help));
    lines.add("usage: " + usage);
    diagnostics.add(dev.cnnc.compiler.diag.Severity.ERROR, code, at, message, lines);
  }
}
