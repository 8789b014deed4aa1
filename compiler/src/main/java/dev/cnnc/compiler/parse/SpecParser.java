// Entry point of the front end: source text in, AST (or syntax diagnostics) out.
package dev.cnnc.compiler.parse;

import dev.cnnc.compiler.ast.SpecFile;
import dev.cnnc.compiler.diag.Diagnostics;
import dev.cnnc.grammar.CnnLexer;
import dev.cnnc.grammar.CnnParser;
import java.util.Optional;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.Token;

public final class SpecParser {
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
    CnnParser parser = new CnnParser(new CommonTokenStream(lexer));
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
