// The only class that reads ANTLR parse trees: turns them into the immutable AST, with spans.
package dev.cnnc.compiler.parse;

import dev.cnnc.compiler.ast.Arg;
import dev.cnnc.compiler.ast.Chain;
import dev.cnnc.compiler.ast.Decl;
import dev.cnnc.compiler.ast.Element;
import dev.cnnc.compiler.ast.Expr;
import dev.cnnc.compiler.ast.Ident;
import dev.cnnc.compiler.ast.SpecFile;
import dev.cnnc.compiler.diag.Diagnostics;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.diag.Span;
import dev.cnnc.grammar.CnnParser.*;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.Interval;

final class AstBuilder {
  private final SourceFile source;
  private final Diagnostics diagnostics;

  AstBuilder(SourceFile source, Diagnostics diagnostics) {
    this.source = source;
    this.diagnostics = diagnostics;
  }

  SpecFile specFile(SpecFileContext ctx) {
    List<Decl> decls = new ArrayList<>();
    for (ItemContext item : ctx.item()) {
      if (item.network() != null) decls.add(network(item.network()));
      else if (item.block() != null) decls.add(block(item.block()));
      else decls.add(train(item.train()));
    }
    return new SpecFile(source.name(), decls);
  }

  private Decl.Network network(NetworkContext ctx) {
    Optional<Decl.Input> input = Optional.ofNullable(ctx.input()).map(this::input);
    List<LinkContext> links = ctx.chain() == null ? List.of() : ctx.chain().link();
    if (input.isEmpty() && !links.isEmpty() && isInputCall(links.get(0))) {
      diagnostics.error("bad-input", span(links.get(0).element()),
          "the input size is written C x H x W in one word, like `input 3x32x32`",
          "the batch dimension is implicit");
      links = links.subList(1, links.size());
    }
    Optional<Chain> body = links.isEmpty() ? Optional.empty() : Optional.of(chain(links, span(ctx.chain())));
    return new Decl.Network(ident(ctx.name), input, body, head(ctx, ctx.name));
  }

  /** {@code input(3, 32, 32)} or {@code input 3, 32, 32}: an input size the grammar read as a layer. */
  private static boolean isInputCall(LinkContext link) {
    return link.element().label == null && link.element().term() instanceof LayerTermContext t
        && t.op.getText().equals("input");
  }

  private Decl.Input input(InputContext ctx) {
    return new Decl.Input(Arrays.asList(ctx.DIMS().getText().split("x")), span(ctx));
  }

  private Decl.Block block(BlockContext ctx) {
    List<Ident> params = ctx.params() == null ? List.of()
        : ctx.params().ident().stream().map(this::ident).toList();
    return new Decl.Block(ident(ctx.name), params, chain(ctx.chain()), head(ctx, ctx.name));
  }

  private Decl.Train train(TrainContext ctx) {
    List<Decl.Setting> settings = new ArrayList<>();
    for (SettingContext s : ctx.setting()) {
      List<Decl.SettingValue> values = s.settingValue().stream().map(this::settingValue).toList();
      settings.add(new Decl.Setting(ident(s.key), values, span(s)));
    }
    return new Decl.Train(settings, span(ctx.TRAIN().getSymbol()));
  }

  private Decl.SettingValue settingValue(SettingValueContext ctx) {
    if (ctx instanceof CallSettingContext call) {
      return new Decl.CallValue(ident(call.name), args(call.args()), span(call));
    }
    return new Decl.PlainValue(value(((PlainSettingContext) ctx).value()));
  }

  private Chain chain(ChainContext ctx) {
    return chain(ctx.link(), span(ctx));
  }

  private Chain chain(List<LinkContext> links, Span span) {
    List<Element> elements = new ArrayList<>();
    for (LinkContext link : links) {
      Element e = element(link.element());
      boolean first = elements.isEmpty();
      if (!first && link.ARROW() == null && e.label().isEmpty()) {
        diagnostics.error("syntax", e.span(), "missing `->` before `" + sourceText(link.element().term()) + "`",
            "layers in a chain are joined with `->`; only a labelled layer (`name: layer`) may start a new line without one");
      }
      elements.add(e);
    }
    return new Chain(elements, span);
  }

  private Element element(ElementContext ctx) {
    Optional<Ident> label = Optional.ofNullable(ctx.label).map(this::ident);
    Optional<Expr> times = Optional.ofNullable(ctx.count).map(this::expr);
    Span span = span(ctx.term());
    TermContext term = ctx.term();
    if (term instanceof LayerTermContext layer) {
      return new Element.Call(label, ident(layer.op), args(layer.args()), layer.LPAREN() != null,
          times, span);
    }
    if (term instanceof ResidualTermContext res) {
      Optional<Chain> shortcut = Optional.ofNullable(res.shortcut).map(this::chain);
      return new Element.Residual(label, args(res.args()), chain(res.body), shortcut, times,
          span(res.RESIDUAL().getSymbol()));
    }
    RepeatTermContext rep = (RepeatTermContext) term;
    return new Element.Repeat(label, expr(rep.count), chain(rep.body), times,
        span(rep.REPEAT().getSymbol()));
  }

  private List<Arg> args(ArgsContext ctx) {
    if (ctx == null) return List.of();
    List<Arg> args = new ArrayList<>();
    for (ArgContext a : ctx.arg()) {
      if (a instanceof NamedArgContext named) {
        args.add(new Arg(Optional.of(ident(named.key)), value(named.value()), span(a)));
      } else {
        args.add(new Arg(Optional.empty(), value(((PositionalArgContext) a).value()), span(a)));
      }
    }
    return args;
  }

  private Expr value(ValueContext ctx) {
    if (ctx instanceof StringValueContext s) {
      String raw = s.STRING().getText();
      return new Expr.Str(unquote(raw.substring(1, raw.length() - 1)), span(s));
    }
    return expr(((ExprValueContext) ctx).expr());
  }

  private Expr expr(ExprContext ctx) {
    if (ctx instanceof IntExprContext i) return new Expr.IntLit(i.INT().getText(), span(i));
    if (ctx instanceof FloatExprContext f) {
      return new Expr.FloatLit(Double.parseDouble(f.FLOAT().getText()), f.FLOAT().getText(), span(f));
    }
    if (ctx instanceof NameExprContext n) return new Expr.Name(ident(n.ident()));
    if (ctx instanceof ParenExprContext p) return expr(p.expr());
    if (ctx instanceof NegExprContext n) return new Expr.Neg(expr(n.expr()), span(n));
    BinaryExprContext b = (BinaryExprContext) ctx;
    return new Expr.Binary(b.op.getText().charAt(0), expr(b.left), expr(b.right), span(b));
  }

  private Ident ident(IdentContext ctx) {
    return new Ident(ctx.getText(), span(ctx));
  }

  private static String unquote(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        out.append(switch (n) {
          case 'n' -> '\n';
          case 't' -> '\t';
          default -> n;
        });
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** The construct as written when it fits on one line (`conv(16, k3)`), else its first word. */
  private static String sourceText(ParserRuleContext ctx) {
    Token start = ctx.getStart();
    Token stop = ctx.getStop();
    if (stop == null || stop.getLine() != start.getLine() || stop.getStopIndex() < start.getStartIndex()) {
      return start.getText();
    }
    return start.getInputStream().getText(Interval.of(start.getStartIndex(), stop.getStopIndex()));
  }

  /** From the construct's first token through its name: "network Foo", "block basic". */
  private Span head(ParserRuleContext ctx, ParserRuleContext name) {
    return span(ctx.getStart()).to(span(name));
  }

  private Span span(ParserRuleContext ctx) {
    Token start = ctx.getStart();
    Token stop = ctx.getStop() == null ? start : ctx.getStop();
    if (stop.getType() == Token.EOF || stop.getStopIndex() < start.getStartIndex()) {
      return span(start);
    }
    if (stop.getLine() == start.getLine()) {
      return new Span(start.getLine(), start.getCharPositionInLine() + 1,
          stop.getStopIndex() - start.getStartIndex() + 1);
    }
    // Spans over several lines underline the first line from the start to its end.
    String line = source.line(start.getLine());
    return new Span(start.getLine(), start.getCharPositionInLine() + 1,
        Math.max(1, line.length() - start.getCharPositionInLine()));
  }

  private static Span span(Token token) {
    int length = token.getType() == Token.EOF ? 1 : token.getText().length();
    return new Span(token.getLine(), token.getCharPositionInLine() + 1, length);
  }
}
