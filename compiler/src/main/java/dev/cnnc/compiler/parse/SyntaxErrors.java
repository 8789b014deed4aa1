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
    String found = describeFound(token);
    String wanted = describeExpected(expected);
    List<String> help = new ArrayList<>();
    hint(rules, expected, token, help);
    String message = wanted.isEmpty() ? "unexpected " + found : "expected " + wanted + ", found " + found;
    diagnostics.add(dev.cnnc.compiler.diag.Severity.ERROR, "syntax", span, message, help);
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

  /** Expected tokens in words; every keyword collapses into "a name", as the grammar allows. */
  private static String describeExpected(IntervalSet expected) {
    Set<String> words = new LinkedHashSet<>();
    for (int type : expected.toList()) {
      String w = word(type);
      if (w != null) words.add(w);
    }
    if (words.contains("a layer")) words.remove("a name"); // a label is a name too; "a layer" says more
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
