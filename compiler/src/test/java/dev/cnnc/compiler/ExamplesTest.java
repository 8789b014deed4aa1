// Every spec in examples/ checks as documented, with parameter and multiply-add counts worked
// out by hand below (not by the code under test), and `summary` reports them in the JSON
// shape DESIGN.md specifies.
package dev.cnnc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cnnc.compiler.diag.Diagnostic;
import dev.cnnc.compiler.diag.Severity;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.ir.Node;
import dev.cnnc.compiler.ops.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExamplesTest {
  /*
   * The arithmetic. A conv's parameters are out·in·k·k (+ out with a bias), its MACs
   * out·H·W·in·k·k; an fc's are out·in (+ out) and out·in; a bn's 2·C and none.
   *
   * SimpleCNN (3×32×32): conv1 3→16 k3 p1: 16·3·9 + 16 = 448, 16·32·32·27 = 442,368;
   *   pool → 16; conv2 16→32 k3 p1: 32·16·9 + 32 = 4,640, 32·16·16·144 = 1,179,648; pool → 8;
   *   fc1 2048→512: 1,048,576 + 512 = 1,049,088, 1,048,576; fc2 512→10: 5,130, 5,120.
   *   Total 1,059,306 parameters, 2,675,712 MACs.
   *
   * LeNet-5: c1 3→6 k5: 6·3·25 + 6 = 456, 6·28·28·75 = 352,800; pool → 14;
   *   c3 6→16 k5: 16·6·25 + 16 = 2,416, 16·10·10·150 = 240,000; pool → 5, flatten 400;
   *   f5 400→120: 48,120, 48,000; f6 120→84: 10,164, 10,080; out 84→10: 850, 840.
   *   Total 62,006 parameters, 651,720 MACs.
   *
   * ResNet-20 (no conv biases): stem 3→16: 432 + bn 32, 442,368 MACs.
   *   A 16-channel block at 32×32: 2 convs of 16·16·9 = 2,304 + 2 bn of 32 = 4,672 parameters,
   *   2 · 16·1024·144 = 4,718,592 MACs.
   *   The first 32-channel block (stride 2, 16×16): 32·16·9 = 4,608 + 32·32·9 = 9,216 + 2·64
   *   = 13,952 parameters, 32·256·144 + 32·256·288 = 3,538,944 MACs; the others 2·9,216 + 128
   *   = 18,560 and 4,718,592. The 64-channel stage alike at 8×8: first block 18,432 + 36,864
   *   + 256 = 55,552 and 3,538,944; others 73,984 and 4,718,592. Zero-padded shortcuts add
   *   nothing. fc 64→10: 650, 640.
   *   n blocks per stage: 464 + n·4,672 + 13,952 + (n−1)·18,560 + 55,552 + (n−1)·73,984 + 650
   *   parameters and 442,368 + n·4,718,592 + 2·(3,538,944 + (n−1)·4,718,592) + 640 MACs.
   *   n = 3: 269,722 and 40,551,040.  n = 9 (ResNet-56): 853,018 and 125,485,696.
   *
   * VGG-11 (conv biases, bn after each): on 32, 16, 8, 8, 4, 4, 2, 2 with channels 64, 128,
   *   256, 256, 512, 512, 512, 512: conv parameters 1,792 + 73,856 + 295,168 + 590,080
   *   + 1,180,160 + 3·2,359,808 = 9,220,480; bn 2·(64 + 128 + 256 + 256 + 4·512) = 5,504;
   *   classifier 512→10: 5,130. Total 9,231,114.
   *   MACs 64·1024·27 + 128·256·576 + 256·64·1152 + 256·64·2304 + 512·16·2304 + 512·16·4608
   *   + 2·512·4·4608 + 5,120 = 1,769,472 + 18,874,368 + 18,874,368 + 37,748,736 + 18,874,368
   *   + 37,748,736 + 2·9,437,184 + 5,120 = 152,769,536.
   *
   * airbench94: whiten 3→24 k2 valid (bias): 24·3·4 + 24 = 312, 24·31·31·12 = 276,768 (32 → 31).
   *   block1 = group(64): conv1 24→64 k3 same on 31: 13,824, 64·961·216 = 13,284,864; pool → 15;
   *   bn1 128; conv2 64→64 on 15: 36,864, 64·225·576 = 8,294,400; bn2 128.
   *   block2 = group(256): conv1 64→256 on 15: 147,456, 256·225·576 = 33,177,600; pool → 7;
   *   bn1 512; conv2 256→256 on 7: 589,824, 256·49·2304 = 28,901,376; bn2 512.
   *   block3 = group(256): conv1 on 7: 589,824, 28,901,376; pool → 3; bn1 512;
   *   conv2 on 3: 589,824, 256·9·2304 = 5,308,416; bn2 512.  pool(k3) → 1; head 256→10 nobias:
   *   2,560, 2,560.  Total 1,972,792 parameters, 118,147,360 MACs. The 2×2 pools on 31, 15
   *   and 7 each drop a row and a column: three warnings.
   */
  @ParameterizedTest(name = "{0}: {2} parameters, {3} MACs")
  @CsvSource(delimiter = '|', textBlock = """
      # file              | network    | params    | MACs        | millions | warnings
      seed_simple_cnn.cnn | SimpleCNN  | 1059306   | 2675712     | 1.06M    | 0
      lenet5.cnn          | LeNet5     | 62006     | 651720      | 0.06M    | 0
      resnet20.cnn        | ResNet20   | 269722    | 40551040    | 0.27M    | 0
      resnet56.cnn        | ResNet56   | 853018    | 125485696   | 0.85M    | 0
      vgg11.cnn           | VGG11      | 9231114   | 152769536   | 9.23M    | 0
      airbench94.cnn      | Airbench94 | 1972792   | 118147360   | 1.97M    | 3
      """)
  void totalsMatchTheHandArithmetic(String file, String network, long params, long macs, String millions, int warnings)
      throws IOException {
    Frontend.Result r = check(file);
    assertTrue(r.ok(), () -> file + ": " + r.diagnostics().all());
    assertEquals(warnings, r.diagnostics().all().stream().filter(d -> d.severity() == Severity.WARNING).count());
    Graph g = r.graph().orElseThrow();
    assertEquals(network, g.name());
    Summary s = new Summary(g);
    assertEquals(params, s.totalParams(), "parameters");
    assertEquals(macs, s.totalMacs(), "multiply-adds");
    assertEquals(millions, Summary.millions(s.totalParams()));
    assertEquals(params, s.rows().stream().mapToLong(Summary.Row::params).sum(), "the rows add up to the total");
    assertEquals(macs, s.rows().stream().mapToLong(Summary.Row::macs).sum());
    assertTrue(s.text(64).contains(String.format(java.util.Locale.ROOT, "total parameters:  %,d (%s)", params, millions)),
        s.text(64));
  }

  @Test
  void everyExampleIsInTheTable() throws IOException {
    Set<String> listed = Set.of("seed_simple_cnn.cnn", "lenet5.cnn", "resnet20.cnn", "resnet56.cnn", "vgg11.cnn",
        "airbench94.cnn", "seed_simple_cnn_bug.cnn");
    Set<String> present = new TreeSet<>();
    try (Stream<Path> files = Files.list(repo().resolve("examples"))) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cnn")).forEach(present::add);
    }
    assertEquals(new TreeSet<>(listed), present, "add new examples to this test, with their numbers");
  }

  @ParameterizedTest(name = "SimpleCNN {0}: {1}, {2} parameters, {3} MACs")
  @CsvSource({
      "conv1, 16×32×32, 448, 442368",
      "pool_0, 16×16×16, 0, 0",
      "conv2, 32×16×16, 4640, 1179648",
      "pool_1, 32×8×8, 0, 0",
      "flatten_0, 2048, 0, 0",
      "fc1, 512, 1049088, 1048576",
      "fc2, 10, 5130, 5120"})
  void simpleCnnLayers(String name, String shape, long params, long macs) throws IOException {
    assertLayer("seed_simple_cnn.cnn", name, shape, params, macs);
  }

  @ParameterizedTest(name = "LeNet-5 {0}: {1}, {2} parameters, {3} MACs")
  @CsvSource({
      "c1, 6×28×28, 456, 352800",
      "pool_0, 6×14×14, 0, 0",
      "c3, 16×10×10, 2416, 240000",
      "pool_1, 16×5×5, 0, 0",
      "flatten_0, 400, 0, 0",
      "f5, 120, 48120, 48000",
      "f6, 84, 10164, 10080",
      "out, 10, 850, 840"})
  void lenetLayers(String name, String shape, long params, long macs) throws IOException {
    assertLayer("lenet5.cnn", name, shape, params, macs);
  }

  @Test
  void theSeedBugIsRejectedAtFc1() throws IOException {
    Frontend.Result r = check("seed_simple_cnn_bug.cnn");
    List<Diagnostic> all = r.diagnostics().all();
    assertEquals(1, all.size(), all::toString);
    Diagnostic d = all.get(0);
    assertEquals("fc-input-mismatch", d.code());
    assertEquals(9, d.span().line());
    assertEquals(8, d.span().column());
    assertTrue(r.graph().isEmpty());
  }

  @Test
  void summaryJsonHasTheDocumentedShape() throws IOException {
    Graph g = check("seed_simple_cnn.cnn").graph().orElseThrow();
    JsonObject root = JsonParser.parseString(new Summary(g).json(64)).getAsJsonObject();
    assertEquals("SimpleCNN", root.get("network").getAsString());
    assertEquals(List.of(3, 32, 32), ints(root.getAsJsonArray("input")));
    JsonArray layers = root.getAsJsonArray("layers");
    assertEquals(g.nodes().size() - 1, layers.size(), "one entry per layer, input excluded");
    JsonObject conv1 = layers.get(0).getAsJsonObject();
    assertEquals("conv1", conv1.get("name").getAsString());
    assertEquals("conv", conv1.get("op").getAsString());
    assertEquals(List.of(16, 32, 32), ints(conv1.getAsJsonArray("output")));
    assertEquals(448, conv1.get("params").getAsLong());
    assertEquals(442_368, conv1.get("macs").getAsLong());
    long params = 0;
    long macs = 0;
    List<String> names = new ArrayList<>();
    for (JsonElement e : layers) {
      JsonObject layer = e.getAsJsonObject();
      for (String key : List.of("name", "op", "output", "params", "macs")) assertTrue(layer.has(key), key + " in " + layer);
      names.add(layer.get("name").getAsString());
      params += layer.get("params").getAsLong();
      macs += layer.get("macs").getAsLong();
    }
    assertEquals(g.nodes().stream().skip(1).map(Node::name).toList(), names);
    assertEquals(1_059_306, root.get("total_params").getAsLong());
    assertEquals(params, root.get("total_params").getAsLong());
    assertEquals(macs, root.get("total_macs").getAsLong());
    assertEquals(List.of(10), ints(layers.get(layers.size() - 1).getAsJsonObject().getAsJsonArray("output")));
  }

  @Test
  void summaryTextShowsMillionsAsDocumented() {
    assertEquals("0.27M", Summary.millions(269_722));
    assertEquals("0.85M", Summary.millions(853_018));
    assertEquals("9.23M", Summary.millions(9_231_114));
  }

  // ---- helpers ---------------------------------------------------------------------------

  private static void assertLayer(String file, String name, String shape, long params, long macs) throws IOException {
    Graph g = check(file).graph().orElseThrow();
    Node n = g.nodes().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
    assertEquals(shape, n.output().toString());
    assertEquals(params, n.op().params().stream().mapToLong(Tensor::size).sum());
    assertEquals(macs, n.op().macs());
  }

  private static List<Integer> ints(JsonArray a) {
    List<Integer> out = new ArrayList<>();
    a.forEach(e -> out.add(e.getAsInt()));
    return out;
  }

  static Frontend.Result check(String file) throws IOException {
    Path p = repo().resolve("examples").resolve(file);
    return Frontend.check(new SourceFile("examples/" + file, Files.readString(p)));
  }

  /** The repository root: surefire's cnnc.repo property, else the first folder up with examples/. */
  static Path repo() {
    String property = System.getProperty("cnnc.repo");
    if (property != null && Files.isDirectory(Path.of(property, "examples"))) return Path.of(property);
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("examples")) && Files.exists(p.resolve("pom.xml"))) return p;
    }
    throw new IllegalStateException("cannot find the repository root (set -Dcnnc.repo)");
  }
}
