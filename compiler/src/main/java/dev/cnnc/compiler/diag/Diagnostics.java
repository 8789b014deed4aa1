// Collects every diagnostic of one run, so all errors of a file are reported together.
package dev.cnnc.compiler.diag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

public final class Diagnostics {
  private final SourceFile source;
  /**
   * In the order reported, each once: a block used three times reports a mistake in its text
   * three times, with the same message at the same place; the first (and its help, which names
   * one use) is kept. Messages that depend on the use name the layer, so they differ.
   */
  private final Map<Key, Diagnostic> all;

  private record Key(Severity severity, String code, Span span, String message) {}
  private final List<String> context;
  /** The codes this view passes on, or null for all. */
  private final Set<String> codes;

  public Diagnostics(SourceFile source) {
    this(source, new LinkedHashMap<>(), List.of(), null);
  }

  private Diagnostics(SourceFile source, Map<Key, Diagnostic> all, List<String> context, Set<String> codes) {
    this.source = source;
    this.all = all;
    this.context = context;
    this.codes = codes;
  }

  /** A view that adds {@code helpLine} to everything reported through it (e.g. which block use). */
  public Diagnostics within(String helpLine) {
    List<String> more = new ArrayList<>(context);
    more.add(helpLine);
    return new Diagnostics(source, all, List.copyOf(more), codes);
  }

  /** A view that drops every diagnostic whose code is not one of {@code kept}. */
  public Diagnostics only(Set<String> kept) {
    return new Diagnostics(source, all, context, Set.copyOf(kept));
  }

  public SourceFile source() {
    return source;
  }

  public void error(String code, Span span, String message, String... help) {
    add(Severity.ERROR, code, span, message, List.of(help));
  }

  public void warning(String code, Span span, String message, String... help) {
    add(Severity.WARNING, code, span, message, List.of(help));
  }

  public void add(Severity severity, String code, Span span, String message, List<String> help) {
    if (codes != null && !codes.contains(code)) return;
    List<String> lines = new ArrayList<>(help);
    lines.addAll(context);
    Diagnostic d = new Diagnostic(severity, code, source.name(), span, message, lines);
    all.putIfAbsent(new Key(severity, code, span, message), d);
  }

  public boolean hasErrors() {
    return all.values().stream().anyMatch(Diagnostic::isError);
  }

  public List<Diagnostic> all() {
    return List.copyOf(all.values());
  }

  public int errorCount() {
    return (int) all.values().stream().filter(Diagnostic::isError).count();
  }

  /** Every diagnostic, in source order (then errors before warnings), stable run to run. */
  public List<Diagnostic> sorted() {
    List<Diagnostic> copy = new ArrayList<>(all.values());
    copy.sort(
        Comparator.comparingInt((Diagnostic d) -> d.span().line())
            .thenComparingInt(d -> d.span().column())
            .thenComparing(Diagnostic::severity));
    return copy;
  }
}
