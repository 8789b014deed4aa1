// Specs at the size limits: the front end answers in time proportional to the network, and
// never by quietly checking less than what was written.
package dev.cnnc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnnc.compiler.diag.Diagnostic;
import dev.cnnc.compiler.diag.SourceFile;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LargeSpecTest {
  /** Generous: the check takes well under a second; quadratic work takes minutes. */
  private static final Duration LIMIT = Duration.ofSeconds(10);

  private static Frontend.Result check(String body) {
    String text = "network Big {\n  input 3x32x32\n  " + body + "\n}\n";
    return assertTimeoutPreemptively(LIMIT, () -> Frontend.check(new SourceFile("big.cnn", text)));
  }

  @Test
  void aHundredThousandLayersCheckInLinearTime() {
    Frontend.Result r = check("conv(8, k3, p1) -> relu * 99990 -> gap -> fc(10)");
    assertTrue(r.ok(), () -> r.diagnostics().all().toString());
    assertEquals(99_994, r.graph().orElseThrow().nodes().size()); // input, conv, 99,990 relus, gap, fc
  }

  @Test
  void anErrorAtTheEndOfALongChainIsExplainedQuickly() {
    Frontend.Result r = check("conv(8, k3, p1) -> relu * 99990 -> gap -> fc(16, 10)");
    List<Diagnostic> errors = r.diagnostics().all();
    assertEquals(1, errors.size(), errors::toString);
    assertTrue(errors.get(0).message().contains("expects 16 input features, but its input has 8"));
  }

  @Test
  void nestedRepeatsBeyondTheLimitAreAnErrorNotATruncatedNetwork() {
    Frontend.Result r = check("repeat 1000 { repeat 1000 { relu } } -> gap -> fc(10)");
    List<Diagnostic> errors = r.diagnostics().all();
    assertEquals(1, errors.size(), errors::toString);
    assertEquals("too-large", errors.get(0).code());
    assertTrue(errors.get(0).message().contains("more than 100,000 layers"), errors.get(0).message());
    assertEquals(3, errors.get(0).span().line());
    assertEquals(3, errors.get(0).span().column(), "points at the outer repeat");
  }

  @Test
  void repeatedBlocksBeyondTheLimitPointAtTheNetworkLevelUse() {
    String text = "block thousand() {\n  relu * 1000\n}\nnetwork Big {\n  input 3x32x32\n"
        + "  conv(8, k1) -> many: thousand() * 1000 -> gap -> fc(10)\n}\n";
    Frontend.Result r = assertTimeoutPreemptively(LIMIT, () -> Frontend.check(new SourceFile("big.cnn", text)));
    List<Diagnostic> errors = r.diagnostics().all();
    assertEquals(1, errors.size(), errors::toString);
    assertTrue(errors.get(0).message().contains("more than 100,000 layers"), errors.get(0).message());
    assertEquals(6, errors.get(0).span().line());
    assertEquals(24, errors.get(0).span().column(), "points at `thousand() * 1000`");
  }

  @Test
  void longExpressionsAndDeepBlockChainsAreRefusedWithAMessage() {
    Frontend.Result sum = check("gap -> fc(" + "1 + ".repeat(10_000) + "1)");
    assertEquals(List.of("more than 256 operators in one expression"),
        sum.diagnostics().all().stream().map(Diagnostic::message).toList());

    StringBuilder chain = new StringBuilder();
    for (int i = 0; i < 5_000; i++) chain.append("block b").append(i).append("(c) { b").append(i + 1).append("(c) }\n");
    chain.append("block b5000(c) { relu }\nnetwork Deep {\n  input 3x32x32\n  b0(1) -> gap -> fc(10)\n}\n");
    String text = chain.toString();
    Frontend.Result deep = assertTimeoutPreemptively(LIMIT, () -> Frontend.check(new SourceFile("deep.cnn", text)));
    List<Diagnostic> errors = deep.diagnostics().all();
    assertEquals(1, errors.size(), errors::toString);
    assertTrue(errors.get(0).message().contains("blocks are used inside blocks more than 64 deep"), errors.get(0).message());
    assertEquals(64, errors.get(0).span().line(), "the use that goes one level too deep: b64 in block b63");
  }

  @Test
  void aShortcutOverAHugeMapIsMatchedWithoutSearching() {
    // 2·10⁹ rows: no stride s gives ceil(2·10⁹ / s) = 10⁹ + 1, which must not take 2·10⁹ tries to find out.
    String text = "network Tall {\n  input 1x2000000000x1\n  residual(projection) { avgpool(k2, s2, p1) } -> gap -> fc(10)\n}\n";
    Frontend.Result r = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> Frontend.check(new SourceFile("tall.cnn", text)));
    List<Diagnostic> errors = r.diagnostics().all();
    assertEquals(1, errors.size(), errors::toString);
    assertTrue(errors.get(0).message().contains("which no strided shortcut can match"), errors.get(0).message());
  }
}
