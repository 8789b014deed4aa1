// Turns ANTLR's syntax errors into plain-worded diagnostics ("expected a number, found ')'").
package dev.cnnc.compiler.parse;

import dev.cnnc.compiler.diag.Diagnostics;
import dev.cnnc.compiler.diag.Span;
import dev.cnnc.grammar.CnnLexer;
import dev.cnnc.grammar.CnnParser;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

final class SyntaxErrors extends BaseErrorListener {
  private final Diagnostics diagnostics;
  private int lastLine = -1;

  SyntaxErrors(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  @Override
  public void syntaxError(
      Recognizer<?, ?> recognizer, Object offending, int line, int column, String antlrMessage,
      RecognitionException e) {
    Token token = offending instanceof Token t ? t : null;
    int length = token == null || token.getType() == Token.EOF ? 1 : token.getText().length();
    Span span = new Span(line, column + 1, Math.max(1, length));
    if (!(recognizer instanceof Parser parser)) {
      diagnostics.error("syntax", span, "unexpected character in the spec");
      return;
    }
    IntervalSet expected = parser.getExpectedTokens();
    List<String> rules = parser.getRuleInvocationStack();
    int type = token == null ? Token.INVALID_TYPE : token.getType();
    String found = describeFound(token);
    List<String> help = new ArrayList<>();
    String message;
    if (line == lastLine) return; // after the first error on a line, the rest are usually its echoes
    lastLine = line;
    int previous = previousType(parser, token);
    if (previous == CnnLexer.INPUT && type != CnnLexer.DIMS && type != CnnLexer.COLON) {
      message = "expected the input size as C x H x W in one word, like `3x32x32`, found " + found;
      help.add("write the image size as C x H x W without spaces, e.g. `input 3x32x32`");
    } else if (previous == CnnLexer.COMMA && type == CnnLexer.COMMA) {
      message = "expected an argument, found `,`";
      help.add("an argument is missing between the two commas");
    } else if (rules.size() == 1 && rules.get(0).equals("specFile")) {
      message = "expected `network`, `block` or `train`, found " + found;
      help.add(type == CnnLexer.RBRACE
          ? "this `}` has no matching `{`; check the braces above it"
          : "a spec holds `network Name { … }`, any `block name(params) { … }` and one `train { … }`");
    } else {
      String wanted = describeExpected(expected, rules);
      message = wanted.isEmpty() ? "unexpected " + found : "expected " + wanted + ", found " + found;
      hint(rules, expected, token, help);
    }
    diagnostics.add(dev.cnnc.compiler.diag.Severity.ERROR, "syntax", span, message, help);
  }

  /** The type of the token before {@code token} (white space and comments are not tokens), or INVALID_TYPE. */
  private static int previousType(Parser parser, Token token) {
    if (token == null || token.getTokenIndex() < 1) return Token.INVALID_TYPE;
    return parser.getInputStream().get(token.getTokenIndex() - 1).getType();
  }

  private static void hint(List<String> rules, IntervalSet expected, Token token, List<String> help) {
    String rule = rules.isEmpty() ? "" : rules.get(0);
    int type = token == null ? Token.INVALID_TYPE : token.getType();
    if (rule.equals("input")) {
      help.add("write the image size as C x H x W without spaces, e.g. `input 3x32x32`");
    } else if (type == Token.EOF && expected.contains(CnnParser.RBRACE)) {
      help.add("every `{` needs a matching `}`");
    } else if (type == CnnLexer.UNKNOWN && "\"".equals(token.getText())) {
      help.add("a string must close with `\"` on the same line");
    } else if (type == CnnLexer.UNKNOWN) {
      help.add("layers are joined with `->`; comments start with `#`");
    } else if (rules.contains("args") || rules.contains("arg")) {
      help.add("arguments are numbers, names or `key: value`, separated by commas, e.g. `conv(3, 16, k3, p1)`");
    }
  }

  private static String describeFound(Token token) {
    if (token == null || token.getType() == Token.EOF) return "the end of the file";
    return "`" + token.getText() + "`";
  }

  /**
   * Expected tokens in words. Keywords are names too, as the grammar allows; they read as "a
   * layer" where a layer may start, as "a value" (or "an argument") where a number may, and as
   * the network's or block's name where that is what is missing.
   */
  private static String describeExpected(IntervalSet expected, List<String> rules) {
    String rule = rules.isEmpty() ? "" : rules.get(0);
    String parent = rules.size() > 1 ? rules.get(1) : "";
    Set<String> words = new LinkedHashSet<>();
    for (int type : expected.toList()) {
      String w = word(type);
      if (w != null) words.add(w);
    }
    if (expected.contains(CnnLexer.INT)) {
      String value = rule.equals("expr") && (parent.equals("element") || parent.equals("term")) ? "a number"
          : rules.contains("setting") || rule.equals("value") || rule.equals("expr") ? "a value"
          : "an argument";
      words.removeAll(List.of("a name", "a layer", "a number", "a string", "`(`"));
      List<String> rest = new ArrayList<>(words);
      words.clear();
      words.add(value);
      words.addAll(rest);
    } else if (rule.equals("ident") && (parent.equals("network") || parent.equals("block"))) {
      return "the " + parent + "'s name";
    } else if (words.contains("a layer")) {
      boolean layerHere = List.of("chain", "link", "element", "term", "network", "block").contains(rule);
      words.remove(layerHere ? "a name" : "a layer");
      if (!layerHere) words.add("a name");
    }
    if (words.isEmpty() || words.size() > 6) return "";
    List<String> list = new ArrayList<>(words);
    if (list.size() == 1) return list.get(0);
    return String.join(", ", list.subList(0, list.size() - 1)) + " or " + list.get(list.size() - 1);
  }

  private static String word(int type) {
    return switch (type) {
      case Token.EOF -> "the end of the file";
      case CnnLexer.ID, CnnLexer.NETWORK, CnnLexer.BLOCK, CnnLexer.TRAIN, CnnLexer.INPUT,
          CnnLexer.SHORTCUT -> "a name";
      case CnnLexer.RESIDUAL, CnnLexer.REPEAT -> "a layer";
      case CnnLexer.INT, CnnLexer.FLOAT -> "a number";
      case CnnLexer.DIMS -> "a size like `3x32x32`";
      case CnnLexer.STRING -> "a string";
      case CnnLexer.MINUS -> null; // "a number" covers "-1"; listing '-' only confuses
      case CnnLexer.UNKNOWN -> null;
      default -> {
        String literal = CnnLexer.VOCABULARY.getLiteralName(type);
        yield literal == null ? null : "`" + literal.replace("'", "") + "`";
      }
    };
  }
}
