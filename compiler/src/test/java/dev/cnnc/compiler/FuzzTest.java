// Thousands of broken, mutated, random and oversized specs: the front end must answer each with
// diagnostics (never an exception), at sane positions, quickly. Seeded, so a failure reproduces:
// rerun with -Dcnnc.fuzz.seed=N (and -Dcnnc.fuzz.runs=N for a longer campaign).
package dev.cnnc.compiler;

import static org.junit.jupiter.api.Assertions.fail;

import dev.cnnc.compiler.diag.Diagnostic;
import dev.cnnc.compiler.diag.JsonRenderer;
import dev.cnnc.compiler.diag.SarifRenderer;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.diag.TextRenderer;
import dev.cnnc.compiler.ir.Node;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FuzzTest {
  private static final long SEED = Long.getLong("cnnc.fuzz.seed", 20250101L);
  private static final int RUNS = Integer.getInteger("cnnc.fuzz.runs", 4000);
  /** One spec, however absurd, is answered within this; the usual answer takes a millisecond. */
  private static final long PER_SPEC_SECONDS = 10;

  private static final Pattern TOKEN = Pattern.compile(
      "\\s+|#[^\\n]*|->|[0-9]+(?:x[0-9]+)+|[0-9]+(?:\\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|[A-Za-z_][A-Za-z_0-9]*|\"[^\"\\n]*\"|.",
      Pattern.DOTALL);
  private static final String[] SPECIAL = {
      "->", "{", "}", "(", ")", ",", ":", "=", "*", "/", "+", "-", "#", "\"", "\n", "\r", "\r\n", "\t", " ",
      "residual", "repeat", "shortcut", "block", "network", "train", "input", "3x32x32", "0x0x0", "1x1x1",
      "3x99999999999x32", "same", "valid", "nobias", "bias", "k0", "k1", "k3", "s2", "p1", "d2",
      "k99999999999999999999", "conv", "pool", "avgpool", "gap", "flatten", "fc", "bn", "relu", "leaky_relu",
      "gelu", "sigmoid", "tanh", "dropout", "softmax", "projection", "zeropad", "identity", "c", "stride",
      "epochs", "batch", "optimizer", "sgd", "lr", "schedule", "augment", "crop", "flip", "\u00e9", "\u2192",
      "\ud83d\ude00", "\u0000", "\uffff", "x", "1e309", "-0", "0.0"};
  private static final String[] NUMBERS = {
      "0", "1", "-1", "2", "3", "7", "31", "32", "64", "1000", "65535", "2147483647", "2147483648",
      "4294967296", "9223372036854775807", "9223372036854775808", "99999999999999999999999999", "-2147483648",
      "1.5", "0.0", "1e308", "1e-320", "1e999", "00000000000000000000000000001"};

  private static ExecutorService worker;

  @BeforeAll
  static void start() {
    // A thread of its own: a hung check fails the test with the spec instead of hanging it.
    worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-check");
      t.setDaemon(true);
      return t;
    });
  }

  @AfterAll
  static void stop() {
    worker.shutdownNow();
  }

  @Test
  void anySpecGetsDiagnosticsNeverAnException() throws Exception {
    Random random = new Random(SEED);
    List<String> corpus = corpus();
    for (String stress : stress()) check(stress, "stress");
    for (int i = 0; i < RUNS; i++) {
      long seed = random.nextLong();
      Random r = new Random(seed);
      String spec = switch (r.nextInt(10)) {
        case 0, 1, 2, 3 -> mutateTokens(pick(r, corpus), r, 1 + r.nextInt(6));
        case 4 -> mutateNumbers(pick(r, corpus), r);
        case 5 -> mutateBytes(pick(r, corpus), r);
        case 6 -> randomBytes(r);
        default -> generate(r);
      };
      check(spec, "run " + i + " (spec seed " + seed + ", fuzz seed " + SEED + ")");
    }
  }

  /** Runs the front end and every renderer on one spec, and checks what comes out. */
  private static void check(String spec, String which) throws InterruptedException {
    Future<String> answer = worker.submit(() -> problems(spec));
    String problem;
    try {
      problem = answer.get(PER_SPEC_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      problem = "took longer than " + PER_SPEC_SECONDS + " s";
    } catch (ExecutionException e) {
      StringWriter trace = new StringWriter();
      e.getCause().printStackTrace(new PrintWriter(trace));
      problem = "threw " + trace;
    }
    if (problem != null) {
      Path saved = Path.of("target", "fuzz-failure.cnn");
      try {
        Files.createDirectories(saved.getParent());
        Files.writeString(saved, spec, StandardCharsets.UTF_8);
      } catch (IOException ignored) {
        // the spec is printed below anyway
      }
      String shown = spec.length() > 1500 ? spec.substring(0, 1500) + "… (" + spec.length() + " chars; all of it in " + saved + ")" : spec;
      fail(which + ": " + problem + "\n--- the spec ---\n" + shown + "\n--- end ---");
    }
  }

  /** Null when all is well, else what is wrong. */
  private static String problems(String spec) {
    SourceFile source = new SourceFile("fuzz.cnn", spec);
    Frontend.Result result = Frontend.check(source);
    int lines = spec.split("\n", -1).length;
    for (Diagnostic d : result.diagnostics().all()) {
      if (d.message() == null || d.message().isBlank()) return "empty message: " + d;
      if (d.code() == null || d.code().isBlank()) return "no code: " + d;
      int line = d.span().line();
      if (line < 0 || line > lines) return "line " + line + " outside the file's " + lines + " lines: " + d;
      if (line > 0 && d.span().column() < 1) return "column " + d.span().column() + ": " + d;
      if (line > 0) {
        String text = source.line(line);
        int width = text.codePointCount(0, text.length());
        if (d.span().column() > width + 1) return "column " + d.span().column() + " past the end of line " + line + " (" + width + " characters): " + d;
      }
      if (line == 0 && d.span().column() != 0) return "a column without a line: " + d;
      if (d.help().stream().anyMatch(h -> h == null || h.isBlank())) return "a blank help line: " + d;
    }
    if (result.ok()) {
      Set<String> names = new HashSet<>();
      for (Node n : result.graph().get().nodes()) {
        if (!names.add(n.name())) return "two nodes named `" + n.name() + "`";
      }
      Summary summary = new Summary(result.graph().get());
      summary.text(64);
      summary.json(64);
    } else if (!result.diagnostics().hasErrors()) {
      return "no graph, yet no error";
    }
    List<Diagnostic> sorted = result.diagnostics().sorted();
    TextRenderer.render(source, sorted);
    List<JsonRenderer.FileReport> report = List.of(new JsonRenderer.FileReport(source, sorted));
    JsonRenderer.render(report);
    SarifRenderer.render(report, "test");
    return null;
  }

  // ---- inputs ----------------------------------------------------------------------------

  private static List<String> corpus() throws IOException {
    List<String> out = new ArrayList<>();
    for (Path dir : List.of(ExamplesTest.repo().resolve("examples"), Path.of("src", "test", "resources", "diagnostics"))) {
      if (!Files.isDirectory(dir)) continue;
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p : files.filter(f -> f.toString().endsWith(".cnn")).sorted().toList()) out.add(Files.readString(p));
      }
    }
    if (out.size() < 10) throw new IllegalStateException("the fuzz corpus is missing: " + out.size() + " specs");
    return out;
  }

  /** Sizes and shapes no mutation is likely to reach. */
  private static List<String> stress() {
    String head = "network S {\n  input 3x32x32\n  ";
    String tail = "\n}\n";
    return List.of(
        head + "relu -> ".repeat(5_000) + "gap -> fc(10)" + tail,
        head + "conv(8, k3, p1) -> " + "bn(9) -> ".repeat(3_000) + "gap -> fc(10)" + tail,
        head + "residual { ".repeat(300) + "relu" + " }".repeat(300) + tail,
        head + "repeat 2 { ".repeat(300) + "relu" + " }".repeat(300) + tail,
        head + "fc(" + "(".repeat(5_000) + "1" + ")".repeat(5_000) + ")" + tail,
        head + "fc(" + "-".repeat(5_000) + "1)" + tail,
        head + "fc(" + "1 + ".repeat(5_000) + "1)" + tail,
        head + "residual { ".repeat(20_000) + tail,
        head + "{".repeat(20_000) + tail,
        "(".repeat(50_000),
        head + "repeat 100000 { repeat 100000 { repeat 100000 { relu } } }" + tail,
        head + "relu * 99999 -> relu * 99999 -> relu * 99999" + tail,
        head + "conv(2147483647, k3) -> conv(2147483647, k2147483647) -> pool(k9223372036854775807)" + tail,
        "network S {\n  input 2147483647x2147483647x2147483647\n  relu\n}\n",
        "network S {\n  input 1x46341x46341\n  relu\n}\n",
        "network S {\n  input 1x1x1\n  conv(8, k3) -> pool -> fc(10)\n}\n",
        blockChain(3_000),
        "block b" + "(c".repeat(1) + ") { relu }\n" + head + "b(" + "1, ".repeat(10_000) + "1)" + tail,
        head + "a".repeat(100_000) + tail,
        "\r".repeat(1000) + "network S {\r  input 3x32x32\r  relu relu\r}\r",
        "network S {\n  input 3x32x32\n  dropout(\"\ud83d\ude00\ud83d\ude00\ud83d\ude00\") relu -> gap -> fc(10)\n}\n",
        "");
  }

  /** block b0 uses b1 uses b2 … : expansion as deep as there are blocks. */
  private static String blockChain(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) b.append("block b").append(i).append("(c) { ").append(i + 1 < n ? "b" + (i + 1) + "(c)" : "relu").append(" }\n");
    return b + "network S {\n  input 3x32x32\n  b0(1) -> gap -> fc(10)\n}\n";
  }

  private static String mutateTokens(String spec, Random r, int edits) {
    List<String> tokens = tokens(spec);
    for (int e = 0; e < edits && !tokens.isEmpty(); e++) {
      int i = r.nextInt(tokens.size());
      switch (r.nextInt(6)) {
        case 0 -> tokens.remove(i);
        case 1 -> tokens.add(i, tokens.get(i));
        case 2 -> {
          int j = r.nextInt(tokens.size());
          String t = tokens.get(i);
          tokens.set(i, tokens.get(j));
          tokens.set(j, t);
        }
        case 3 -> tokens.set(i, SPECIAL[r.nextInt(SPECIAL.length)]);
        case 4 -> tokens.add(i, tokens.get(r.nextInt(tokens.size())));
        default -> {
          // duplicate a whole run of tokens: long chains, repeated blocks, unbalanced braces
          int j = Math.min(tokens.size(), i + 1 + r.nextInt(20));
          List<String> run = new ArrayList<>(tokens.subList(i, j));
          for (int k = r.nextInt(4); k >= 0; k--) tokens.addAll(j, run);
        }
      }
    }
    return String.join("", tokens);
  }

  private static String mutateNumbers(String spec, Random r) {
    Matcher m = Pattern.compile("\\b[0-9]+(?:\\.[0-9]+)?\\b").matcher(spec);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = r.nextInt(3) == 0 ? NUMBERS[r.nextInt(NUMBERS.length)] : m.group();
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String mutateBytes(String spec, Random r) {
    StringBuilder b = new StringBuilder(spec);
    for (int e = 1 + r.nextInt(5); e > 0 && b.length() > 0; e--) {
      int i = r.nextInt(b.length());
      switch (r.nextInt(3)) {
        case 0 -> b.deleteCharAt(i);
        case 1 -> b.insert(i, randomChar(r));
        default -> b.replace(i, i + 1, randomChar(r));
      }
    }
    return b.toString();
  }

  private static String randomBytes(Random r) {
    StringBuilder b = new StringBuilder();
    for (int n = r.nextInt(300); n > 0; n--) b.append(randomChar(r));
    return b.toString();
  }

  private static String randomChar(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> String.valueOf((char) r.nextInt(128));
      case 1 -> SPECIAL[r.nextInt(SPECIAL.length)];
      case 2 -> new String(Character.toChars(r.nextInt(0x10FFFF - 0xE000) + 0xE000));
      default -> {
        String punctuation = "{}()->,:#\"*x0123456789 \n";
        yield String.valueOf(punctuation.charAt(r.nextInt(punctuation.length())));
      }
    };
  }

  /** A random, often valid, network: exercises the paths that only clean specs reach. */
  private static String generate(Random r) {
    StringBuilder b = new StringBuilder();
    boolean block = r.nextBoolean();
    if (block) b.append("block unit(c, s) {\n  ").append(chain(r, 3, true)).append("\n}\n");
    int c = 1 + r.nextInt(4);
    int hw = 1 + r.nextInt(40);
    b.append("network G {\n  input ").append(c).append('x').append(hw).append('x').append(1 + r.nextInt(40)).append("\n  ");
    b.append(chain(r, 2 + r.nextInt(8), false));
    if (block && r.nextBoolean()) b.append(" -> unit(").append(1 + r.nextInt(16)).append(", ").append(1 + r.nextInt(2)).append(")");
    b.append(r.nextBoolean() ? " -> gap -> fc(10)" : " -> flatten -> fc(" + (1 + r.nextInt(20)) + ")");
    b.append("\n}\n");
    if (r.nextInt(4) == 0) b.append("train {\n  epochs ").append(r.nextInt(5)).append("\n  optimizer sgd(lr: 0.1)\n}\n");
    return b.toString();
  }

  private static String chain(Random r, int n, boolean inBlock) {
    List<String> layers = new ArrayList<>();
    for (int i = 0; i < n; i++) layers.add(layer(r, inBlock, 0));
    return String.join(" -> ", layers);
  }

  private static String layer(Random r, boolean inBlock, int depth) {
    String ch = inBlock && r.nextBoolean() ? "c" : Integer.toString(1 + r.nextInt(32));
    String stride = inBlock && r.nextBoolean() ? "s: s" : "s" + (1 + r.nextInt(3));
    return switch (depth > 2 ? r.nextInt(9) : r.nextInt(13)) {
      case 0 -> "conv(" + ch + ", k" + (1 + r.nextInt(5)) + ", " + stride + (r.nextBoolean() ? ", same" : ", p" + r.nextInt(3)) + ")";
      case 1 -> "conv(" + ch + ", k3, p1" + (r.nextBoolean() ? ", nobias" : "") + (r.nextBoolean() ? ", d2" : "") + ")";
      case 2 -> r.nextBoolean() ? "pool" : "avgpool(k" + (1 + r.nextInt(3)) + ")";
      case 3 -> r.nextBoolean() ? "bn" : "bn(" + ch + ")";
      case 4 -> new String[] {"relu", "gelu", "sigmoid", "tanh", "leaky_relu(0.2)"}[r.nextInt(5)];
      case 5 -> "dropout(0." + r.nextInt(10) + ")";
      case 6 -> "relu * " + (1 + r.nextInt(3));
      case 7 -> "lbl" + r.nextInt(5) + ": relu";
      case 8 -> "conv(" + ch + ", k1)";
      case 9 -> "residual" + new String[] {"", "(projection)", "(projection)", "(zeropad)", "(identity)"}[r.nextInt(5)]
          + " { " + layer(r, inBlock, depth + 1) + " -> " + layer(r, inBlock, depth + 1) + " }";
      case 10 -> "repeat " + (1 + r.nextInt(3)) + " { " + layer(r, inBlock, depth + 1) + " }";
      case 11 -> "residual { " + layer(r, inBlock, depth + 1) + " } shortcut { " + layer(r, inBlock, depth + 1) + " }";
      default -> r.nextInt(4) == 0 ? "fc(" + (1 + r.nextInt(20)) + ")" : "conv(" + ch + ", k3, same)";
    };
  }

  private static List<String> tokens(String spec) {
    List<String> out = new ArrayList<>();
    Matcher m = TOKEN.matcher(spec);
    while (m.find()) out.add(m.group());
    return out;
  }

  private static String pick(Random r, List<String> corpus) {
    return corpus.get(r.nextInt(corpus.size()));
  }
}
