// Entry point of the front end: source text in, AST (or syntax diagnostics) out.
package dev.cnnc.compiler.parse;

import dev.cnnc.compiler.ast.SpecFile;
import dev.cnnc.compiler.diag.Diagnostics;
import dev.cnnc.compiler.diag.Span;
import dev.cnnc.grammar.CnnLexer;
import dev.cnnc.grammar.CnnParser;
import java.util.Optional;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.Token;

public final class SpecParser {
  /**
   * Brackets ({@code (} and {@code {}) may nest this deep, and this many {@code -} may follow
   * one another. Real specs stay under ten; the limit keeps the recursive parser, resolver and
   * checker far from the end of the stack.
   */
  static final int MAX_NESTING = 32;
  /** Operators in one argument or count: each is a level of recursion where the tree is built. */
  static final int MAX_OPERATORS = 256;

  private SpecParser() {}

  /**
   * Parses the diagnostics' source file. Every syntax error is reported; the AST is returned
   * only when there were none, so later stages never see a half-built tree.
   */
  public static Optional<SpecFile> parse(Diagnostics diagnostics) {
    SyntaxErrors listener = new SyntaxErrors(diagnostics);
    CnnLexer lexer = new CnnLexer(CharStreams.fromString(diagnostics.source().text()));
    lexer.removeErrorListeners();
    lexer.addErrorListener(listener);
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    tokens.fill();
    if (!nestingFits(tokens, diagnostics)) return Optional.empty();
    CnnParser parser = new CnnParser(tokens);
    parser.removeErrorListeners();
    parser.addErrorListener(listener);
    parser.setErrorHandler(new Recovery());
    int before = diagnostics.errorCount();
    CnnParser.SpecFileContext tree = parser.specFile();
    if (diagnostics.errorCount() > before) return Optional.empty();
    SpecFile ast = new AstBuilder(diagnostics.source(), diagnostics).specFile(tree);
    return diagnostics.errorCount() > before ? Optional.empty() : Optional.of(ast);
  }

  /**
   * Reports the first place where brackets or minus signs nest deeper than {@link #MAX_NESTING},
   * or an expression has more than {@link #MAX_OPERATORS} operators.
   */
  private static boolean nestingFits(CommonTokenStream tokens, Diagnostics diagnostics) {
    int depth = 0;
    int minuses = 0;
    int operators = 0;
    for (Token t : tokens.getTokens()) {
      int type = t.getType();
      if (type == CnnLexer.LPAREN || type == CnnLexer.LBRACE) depth++;
      else if (type == CnnLexer.RPAREN || type == CnnLexer.RBRACE) depth = Math.max(0, depth - 1);
      minuses = type == CnnLexer.MINUS ? minuses + 1 : 0;
      boolean operator = type == CnnLexer.PLUS || type == CnnLexer.MINUS || type == CnnLexer.STAR || type == CnnLexer.SLASH;
      boolean separator = type == CnnLexer.COMMA || type == CnnLexer.ARROW || type == CnnLexer.LBRACE || type == CnnLexer.RBRACE;
      operators = operator ? operators + 1 : separator ? 0 : operators;
      String problem = depth > MAX_NESTING ? "brackets nest more than " + MAX_NESTING + " deep here"
          : minuses > MAX_NESTING ? "more than " + MAX_NESTING + " minus signs in a row"
          : operators > MAX_OPERATORS ? "more than " + MAX_OPERATORS + " operators in one expression"
          : null;
      if (problem != null) {
        diagnostics.error("too-large", new Span(t.getLine(), t.getCharPositionInLine() + 1, 1), problem,
            "use a named block for structure that deep, or simplify the expression");
        return false;
      }
    }
    return true;
  }

  /**
   * ANTLR's recovery, except that a missing name is assumed missing rather than taken from the
   * next token: in {@code network { input 3x32x32 …}} the default would delete the `{`, read
   * `input` as the name and report a second, confusing error at the size.
   */
  private static final class Recovery extends DefaultErrorStrategy {
    @Override
    public Token recoverInline(Parser recognizer) {
      if (recognizer.getExpectedTokens().contains(CnnParser.ID) && singleTokenInsertion(recognizer)) {
        return getMissingSymbol(recognizer);
      }
      return super.recoverInline(recognizer);
    }
  }
}
