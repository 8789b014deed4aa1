// Every form of the .cnn language that DESIGN.md promises parses, resolves and checks to the
// shapes, names and parameter counts worked out by hand here, read from the IR graph.
package dev.cnnc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cnnc.compiler.diag.Diagnostic;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.diag.TextRenderer;
import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.ir.Node;
import dev.cnnc.compiler.ops.Activation;
import dev.cnnc.compiler.ops.BatchNorm;
import dev.cnnc.compiler.ops.Conv;
import dev.cnnc.compiler.ops.Dropout;
import dev.cnnc.compiler.ops.Pool;
import dev.cnnc.compiler.ops.Tensor;
import dev.cnnc.compiler.ops.ZeroPadShortcut;
import dev.cnnc.compiler.resolve.TrainSpec;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LanguageTest {

  // ---- helpers ---------------------------------------------------------------------------

  /**
   * Checks a whole spec that must have no diagnostics, and returns its graph. Networks here may
   * end in a feature map (the layer under test), so the output-not-flat warning is allowed.
   */
  static Graph spec(String text) {
    Frontend.Result r = Frontend.check(new SourceFile("test.cnn", text));
    List<Diagnostic> all = r.diagnostics().sorted().stream().filter(d -> !d.code().equals("output-not-flat")).toList();
    if (!all.isEmpty() || r.graph().isEmpty()) {
      fail("expected a clean check of\n" + text + "\nbut got:\n" + TextRenderer.render(new SourceFile("test.cnn", text), all));
    }
    return r.graph().get();
  }

  /** A network with a 3×32×32 input and this body. */
  static Graph net(String body) {
    return spec("network T {\n  input 3x32x32\n  " + body + "\n}\n");
  }

  /** Like {@link #net} but warnings are allowed (and returned through the result). */
  static Frontend.Result netWithWarnings(String body) {
    Frontend.Result r = Frontend.check(new SourceFile("test.cnn", "network T {\n  input 3x32x32\n  " + body + " -> gap -> fc(10)\n}\n"));
    assertTrue(r.ok(), () -> r.diagnostics().all().toString());
    return r;
  }

  static Node node(Graph g, String name) {
    return g.nodes().stream().filter(n -> n.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no node `" + name + "` among " + names(g)));
  }

  static List<String> names(Graph g) {
    return g.nodes().stream().map(Node::name).toList();
  }

  static String shape(Graph g, String name) {
    return node(g, name).output().toString();
  }

  static long params(Node n) {
    return n.op().params().stream().mapToLong(Tensor::size).sum();
  }

  static String out(Graph g) {
    return g.output().output().toString();
  }

  // ---- conv ------------------------------------------------------------------------------

  @Nested
  class Convolution {
    @Test
    void explicitAndInferredInputChannelsGiveTheSameLayer() {
      Graph explicit = net("conv(3, 16, k3, p1)");
      Graph inferred = net("conv(16, k3, p1)");
      for (Graph g : List.of(explicit, inferred)) {
        assertEquals("16×32×32", shape(g, "conv_0"));
        assertEquals(448, params(node(g, "conv_0")), "16·3·3·3 weights + 16 biases");
        assertEquals(442_368, node(g, "conv_0").op().macs(), "16·32·32 outputs · 3·3·3");
      }
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', textBlock = """
        # conv                         | output   | arithmetic on 32
        conv(8, k3)                    | 8×30×30  | 32 − 3 + 1
        conv(8, k3, p1)                | 8×32×32  | 32 + 2 − 3 + 1
        conv(8, k5, s2, p2)            | 8×16×16  | floor((32 + 4 − 5) / 2) + 1
        conv(8, k3, s3, p1)            | 8×11×11  | floor((32 + 2 − 3) / 3) + 1
        conv(8, k3, d2, p2)            | 8×32×32  | 32 + 4 − 2·2 − 1 + 1
        conv(8, k3, d3)                | 8×26×26  | 32 − 3·2 − 1 + 1
        conv(8, k3, s1, p1, d1)        | 8×32×32  | every shorthand at once
        conv(8, k: 3, s: 2, p: 1)      | 8×16×16  | named with `:`
        conv(8, k = 3, s = 2, p = 1)   | 8×16×16  | named with `=`
        conv(8, kernel: 3, stride: 2, padding: 1) | 8×16×16 | long names
        conv(8, k3, dilation: 2, pad: 2) | 8×32×32 | long names
        conv(8, k3, same)              | 8×32×32  | ceil(32 / 1)
        conv(8, k4, s2, same)          | 8×16×16  | ceil(32 / 2), total padding 15·2 + 3 + 1 − 32 = 2
        conv(8, k3, pad: same)         | 8×32×32  | same, named
        conv(8, k3, p: same)           | 8×32×32  | same, short key
        conv(8, k3, valid)             | 8×30×30  | p = 0
        conv(8, k3, padding: valid)    | 8×30×30  | valid, named
        conv(3, 8, k3, p1)             | 8×32×32  | explicit in
        """)
    void argumentFormsGiveTheFormulaShape(String conv, String output, String arithmetic) {
      assertEquals(output, shape(net(conv), "conv_0"), arithmetic);
    }

    @Test
    void samePaddingIsCarriedPerSide() {
      Conv odd = (Conv) node(net("conv(8, k3, same)"), "conv_0").op();
      assertEquals(1, odd.h().padBefore());
      assertEquals(1, odd.h().padAfter());
      // total = (32 − 1)·1 + 3 + 1 − 32 = 3: one before, two after, on both axes
      Frontend.Result even = netWithWarnings("conv(8, k4, same)");
      Conv conv = (Conv) node(even.graph().orElseThrow(), "conv_0").op();
      assertEquals(List.of(1, 2, 1, 2), List.of(conv.h().padBefore(), conv.h().padAfter(), conv.w().padBefore(), conv.w().padAfter()));
      assertEquals("8×32×32", conv.output().toString());
      assertEquals("asymmetric-padding", even.diagnostics().all().get(0).code());
    }

    @ParameterizedTest(name = "{0}: {1} parameters")
    @CsvSource(delimiter = '|', textBlock = """
        conv(3, 16, k3, p1)               | 448 | 432 weights + 16 biases
        conv(3, 16, k3, p1, nobias)       | 432 | weights only
        conv(16, k3, p1, bias: false)     | 432 | weights only
        conv(16, k3, p1, bias: true)      | 448 | the default, said out loud
        """)
    void biasCanBeDropped(String conv, long count, String why) {
      Graph g = net(conv);
      assertEquals(count, params(node(g, "conv_0")), why);
    }
  }

  // ---- pools, flatten, fc ----------------------------------------------------------------

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', textBlock = """
      # layer            | output   | kind    | arithmetic on 32
      pool               | 3×16×16  | pool    | default k2 s2
      maxpool            | 3×16×16  | pool    | another name for pool
      avgpool            | 3×16×16  | avgpool | default k2 s2
      pool(k2)           | 3×16×16  | pool    | the stride follows the kernel
      pool(k2, s2)       | 3×16×16  | pool    | said out loud
      pool(4)            | 3×8×8    | pool    | positional kernel, stride 4
      pool(k3, s1, p1)   | 3×32×32  | pool    | (32 + 2 − 3) / 1 + 1
      pool(k3, s2, p1)   | 3×16×16  | pool    | floor((32 + 2 − 3) / 2) + 1
      avgpool(k2, s1)    | 3×31×31  | avgpool | 32 − 2 + 1
      avgpool(k4, same)  | 3×8×8    | avgpool | ceil(32 / 4)
      """)
  void pools(String layer, String output, String kind, String arithmetic) {
    Node n = net(layer).output();
    assertEquals(output, n.output().toString(), arithmetic);
    assertEquals(kind, n.op().kind());
    assertEquals(kind.equals("pool"), ((Pool) n.op()).max());
  }

  @Test
  void flattenGapAndFc() {
    Graph g = net("conv(16, k3, p1) -> f: flatten -> fc(16384, 10)");
    assertEquals("16384", shape(g, "f"), "16·32·32");
    assertEquals(163_850, params(node(g, "fc_0")), "16384·10 + 10");
    assertEquals(163_840, node(g, "fc_0").op().macs());

    Graph gap = net("conv(16, k3, p1) -> gap -> fc(10)");
    assertEquals("16", shape(gap, "gap_0"));
    assertEquals("10", shape(gap, "fc_0"), "fc(out) infers in = 16");
    assertEquals(170, params(node(gap, "fc_0")));

    Graph noBias = net("gap -> fc(3, 10, nobias) -> fc(5, bias: false)");
    assertEquals(30, params(node(noBias, "fc_0")));
    assertEquals(50, params(node(noBias, "fc_1")));

    Graph twice = net("flatten -> flatten -> fc(3072, 10)");
    assertEquals("3072", shape(twice, "flatten_1"), "a flat input passes through flatten unchanged");
  }

  // ---- elementwise layers ----------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      relu                 | relu       | 0
      gelu                 | gelu       | 0
      sigmoid              | sigmoid    | 0
      tanh                 | tanh       | 0
      leaky_relu           | leaky_relu | 0.01
      leaky_relu(0.2)      | leaky_relu | 0.2
      leaky_relu(a: 0.1)   | leaky_relu | 0.1
      leaky_relu(negative_slope: 0.3) | leaky_relu | 0.3
      """)
  void activationsKeepTheShape(String layer, String kind, double alpha) {
    Graph g = net("conv(8, k3, p1) -> " + layer);
    Node n = g.output();
    assertEquals(kind, n.op().kind());
    assertEquals("8×32×32", n.output().toString());
    assertEquals(alpha, ((Activation) n.op()).alpha(), 1e-12);
    assertEquals(0, params(n));
  }

  @Test
  void batchNormOnMapsAndVectors() {
    Graph g = net("conv(16, k3, p1) -> bn -> bn(16) -> bn(eps: 1e-3, momentum: 0.01) -> gap -> fc(10) -> bn(10)");
    for (String name : List.of("bn_0", "bn_1", "bn_2")) {
      assertEquals("16×32×32", shape(g, name));
      assertEquals(32, params(node(g, name)), "weight and bias per channel");
      assertEquals(32, node(g, name).op().buffers().stream().mapToLong(Tensor::size).sum(), "running mean and var");
    }
    BatchNorm custom = (BatchNorm) node(g, "bn_2").op();
    assertEquals(1e-3, custom.eps(), 1e-15);
    assertEquals(0.01, custom.momentum(), 1e-15);
    assertEquals(20, params(node(g, "bn_3")), "on a flat vector: one pair per feature");
  }

  @Test
  void dropoutAndSoftmax() {
    Graph g = net("gap -> dropout -> dropout(0.3) -> dropout(p: 0.1) -> fc(10) -> softmax");
    assertEquals(0.5, ((Dropout) node(g, "dropout_0").op()).p(), 1e-12);
    assertEquals(0.3, ((Dropout) node(g, "dropout_1").op()).p(), 1e-12);
    assertEquals(0.1, ((Dropout) node(g, "dropout_2").op()).p(), 1e-12);
    assertEquals("10", shape(g, "softmax_0"));
    assertEquals("softmax", g.output().op().kind());
  }

  // ---- residual blocks -------------------------------------------------------------------

  @Nested
  class Residual {
    @Test
    void identityShortcutAddsTheBranchToItsInput() {
      Graph g = net("conv(16, k3, p1) -> residual { conv(16, k3, p1) -> bn -> relu -> conv(16, k3, p1) } -> relu");
      Node add = node(g, "res_0");
      assertEquals("add", add.op().kind());
      assertEquals("16×32×32", add.output().toString());
      assertEquals(List.of(node(g, "conv_2").id(), node(g, "conv_0").id()), add.inputs(), "branch, then shortcut");
      assertEquals(node(g, "res_0").id(), node(g, "relu_1").inputs().get(0));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"residual(projection)", "residual(B)", "residual(shortcut: projection)"})
    void projectionShortcutIsA1x1ConvAndBatchNorm(String head) {
      Graph g = net("conv(16, k3, p1) -> " + head + " { conv(32, k3, s2, p1) -> bn }");
      Node conv = node(g, "res_0.shortcut.0");
      Node bn = node(g, "res_0.shortcut.1");
      assertEquals("conv 16→32 k1 s2 nobias", conv.op().describe());
      assertEquals("32×16×16", conv.output().toString());
      assertEquals(512, params(conv), "32·16 weights, no bias");
      assertEquals(64, params(bn));
      assertEquals(List.of(node(g, "bn_0").id(), bn.id()), node(g, "res_0").inputs());
      assertEquals("32×16×16", out(g));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"residual(zeropad)", "residual(A)"})
    void zeroPadShortcutStridesAndPadsChannels(String head) {
      Graph g = net("conv(16, k3, p1) -> " + head + " { conv(32, k3, s2, p1) -> bn }");
      ZeroPadShortcut pad = (ZeroPadShortcut) node(g, "res_0.shortcut.pad").op();
      assertEquals(2, pad.stride());
      assertEquals("32×16×16", pad.output().toString());
      assertEquals(8, pad.padBefore(), "(32 − 16) / 2 zero channels before, the rest after");
      assertEquals(0, params(node(g, "res_0.shortcut.pad")));
    }

    @Test
    void shortcutStrideMatchesBothAxesOfAWideMap() {
      // 3×2×10 → 3×1×1 needs ceil(2 / s) = 1 (s ≥ 2) and ceil(10 / s) = 1 (s ≥ 10): stride 10.
      Graph g = spec("network W {\n  input 3x2x10\n  residual(zeropad) { avgpool(k1, s10) } -> flatten -> fc(10)\n}\n");
      assertEquals(10, ((ZeroPadShortcut) node(g, "res_0.shortcut.pad").op()).stride());
      assertEquals("3×1×1", shape(g, "res_0"));
    }

    @Test
    void customShortcutIsItsOwnChain() {
      Graph g = net("conv(16, k3, p1) -> residual { conv(32, k3, s2, p1) } shortcut { conv(32, k1, s2) -> bn }");
      assertEquals("32×16×16", shape(g, "res_0.shortcut.conv_0"));
      assertEquals("32×16×16", shape(g, "res_0.shortcut.bn_0"));
      assertEquals(List.of(node(g, "conv_1").id(), node(g, "res_0.shortcut.bn_0").id()), node(g, "res_0").inputs());
    }

    @Test
    void labelledResidualNamesItsAddAndShortcut() {
      Graph g = net("conv(16, k3, p1) -> down: residual(projection) { conv(32, k3, s2, p1) }");
      assertEquals("add", node(g, "down").op().kind());
      assertEquals("conv", node(g, "down.shortcut.0").op().kind());
    }
  }

  // ---- blocks, repetition, names ---------------------------------------------------------

  @Test
  void blockParametersWorkAnywhereAnIntegerDoes() {
    Graph g = spec("""
        block unit(c, k, s, p) {
          conv(c * 2, k: k, s: s, p: p) -> bn(c * 2) -> relu
          -> conv((c + 1) * 2 - 2, kernel: k - 2, stride: s / 2) -> pool(k: k - 1, s: s)
        }
        network Params {
          input 3x32x32
          u: unit(8, 3, 2, 1) -> named: unit(c: 4, k: 3, s: 2, p: 1) -> gap -> fc(10)
        }
        """);
    assertEquals("16×16×16", shape(g, "u.conv_0"), "c·2 channels, floor((32 + 2 − 3) / 2) + 1");
    assertEquals("16×16×16", shape(g, "u.conv_1"), "(8 + 1)·2 − 2 = 16 channels, a 1×1 kernel, stride 2 / 2 = 1");
    assertEquals("16×8×8", shape(g, "u.pool_0"), "k 2, s 2");
    assertEquals("8×4×4", shape(g, "named.conv_0"));
  }

  @Test
  void repetitionWithStarAndRepeat() {
    Graph g = spec("""
        block basic(c, stride) {
          conv(c, k3, s: stride, p1) -> relu
        }
        network Reps {
          input 3x32x32
          basic(16, 1) * 3
          -> repeat 2 { conv(16, k3, p1) -> relu }
          -> body: repeat 2 { relu }
          -> relu * 2
          -> act: relu * 2
          -> stage: basic(16, 1) * 2
          -> gap -> fc(10)
        }
        """);
    assertEquals(List.of("input",
        "basic_0.conv_0", "basic_0.relu_0", "basic_1.conv_0", "basic_1.relu_0", "basic_2.conv_0", "basic_2.relu_0",
        "repeat_0.0.conv_0", "repeat_0.0.relu_0", "repeat_0.1.conv_0", "repeat_0.1.relu_0",
        "body.0.relu_0", "body.1.relu_0",
        "relu_0", "relu_1",
        "act.0", "act.1",
        "stage.0.conv_0", "stage.0.relu_0", "stage.1.conv_0", "stage.1.relu_0",
        "gap_0", "fc_0"), names(g));
  }

  @Test
  void autoNamesCountPerKindAndSkipLabels() {
    Graph g = net("conv(8, k3, p1) -> conv_1: conv(8, k3, p1) -> conv(8, k3, p1) -> relu -> pool -> relu -> gap -> fc(10) -> fc(10)");
    assertEquals(List.of("input", "conv_0", "conv_1", "conv_2", "relu_0", "pool_0", "relu_1", "gap_0", "fc_0", "fc_1"), names(g));
  }

  @Test
  void scopedNamesInTheResNetExample() throws Exception {
    Graph g = spec(java.nio.file.Files.readString(ExamplesTest.repo().resolve("examples/resnet20.cnn")));
    assertEquals("16×32×32", shape(g, "layer1.rest.0.conv1"));
    assertEquals("16×32×32", shape(g, "layer1.rest.1.bn2"));
    assertEquals("32×16×16", shape(g, "layer2.first.conv1"));
    assertEquals("32×16×16", shape(g, "layer2.first.res_0.shortcut.pad"));
    assertEquals("add", node(g, "layer3.rest.1.res_0").op().kind());
    assertEquals("64", shape(g, "gap_0"));
    assertEquals("10", shape(g, "fc"));
  }

  // ---- lexical matters -------------------------------------------------------------------

  @Test
  void commentsNewlinesAndKeywordsAsNames() {
    Graph g = spec("""
        # a comment before anything
        network Lexical {   # after the name
          input 3x32x32     # the batch is implicit
          # a whole-line comment inside the body
          block: conv(8, k3, p1)
            -> relu
          shortcut: conv(8, k3, p1) ->
          relu -> train: gap -> network: fc(10)
        }
        # a comment at the end, without a newline after it""");
    assertEquals(List.of("input", "block", "relu_0", "shortcut", "relu_1", "train", "network"), names(g),
        "keywords are reserved only where they start a construct");
  }

  // ---- train section ---------------------------------------------------------------------

  @Test
  void trainSectionDefaults() {
    TrainSpec t = spec("""
        network N {
          input 3x32x32
          gap -> fc(10)
        }
        train {
          epochs 30
          batch: 128
          optimizer sgd(lr: 0.05, momentum: 0.9, nesterov: true, wd: 5e-4)
          schedule step(every: 10, gamma: 0.5)
          warmup = 2
          augment crop(pad: 4), flip
          label_smoothing 0.1
          seed 42
        }
        """).train();
    assertEquals(30, t.epochs().getAsInt());
    assertEquals(128, t.batch().getAsInt());
    TrainSpec.Choice sgd = t.optimizer().orElseThrow();
    assertEquals("sgd", sgd.name());
    assertEquals(0.05, sgd.arg("lr").getAsDouble(), 1e-12);
    assertEquals(1.0, sgd.arg("nesterov").getAsDouble(), "true reads as 1");
    assertEquals(5e-4, sgd.arg("weight_decay").getAsDouble(), 1e-12, "wd is short for weight_decay");
    assertEquals("step", t.schedule().orElseThrow().name());
    assertEquals(0.5, t.schedule().orElseThrow().arg("gamma").getAsDouble(), 1e-12);
    assertEquals(2.0, t.warmupEpochs().getAsDouble(), 1e-12);
    assertEquals(List.of("crop", "flip"), t.augment().stream().map(TrainSpec.Choice::name).toList());
    assertEquals(4.0, t.augment().get(0).arg("pad").getAsDouble(), 1e-12);
    assertEquals(0.1, t.labelSmoothing().getAsDouble(), 1e-12);
    assertEquals(42, t.seed().getAsLong());
    assertFalse(t.lr().isPresent());
  }

  @Test
  void noTrainSectionLeavesEveryDefaultToTheCommandLine() {
    assertEquals(TrainSpec.EMPTY, net("gap -> fc(10)").train());
  }
}
