// The generated trainer: golden text for the seed article's net, and it compiles beside its network
// and hands back the configuration TrainDefaults computes from the spec.
package dev.cnnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnnc.compiler.Frontend;
import dev.cnnc.compiler.Pipeline;
import dev.cnnc.compiler.TrainDefaults;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.runtime.train.TrainConfig;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerEmitterTest {
  private static Path repo() {
    String p = System.getProperty("cnnc.repo");
    Path dir = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("examples"))) dir = dir.getParent();
    if (dir == null) throw new IllegalStateException("cannot find the repository's examples/ folder");
    return dir;
  }

  private static SourceFile example(String name) throws Exception {
    return new SourceFile("examples/" + name, Files.readString(repo().resolve("examples").resolve(name)));
  }

  private static Graph graph(SourceFile s) {
    Frontend.Result r = Frontend.check(s);
    assertTrue(r.ok(), () -> r.diagnostics().all().toString());
    return r.graph().orElseThrow();
  }

  @Test
  void seedArticleTrainerMatchesGolden() throws Exception {
    SourceFile spec = example("seed_simple_cnn.cnn");
    JavaEmitter.Output out = TrainerEmitter.emit(graph(spec), spec, "demo.nets");
    assertEquals("demo.nets.SimpleCNNTrainer", out.qualifiedName());
    Path golden = Path.of(getClass().getResource("/golden/SimpleCNNTrainer.java").toURI());
    if (Boolean.getBoolean("cnnc.updateGolden")) {
      Files.writeString(repo().resolve("compiler/src/test/resources/golden/SimpleCNNTrainer.java"), out.source());
    }
    assertEquals(Files.readString(golden), out.source());
  }

  @Test
  void compilesBesideItsNetworkAndReturnsTheSpecsConfig(@TempDir Path dir) throws Exception {
    SourceFile spec = example("lenet5.cnn");
    Graph g = graph(spec);
    JavaEmitter.Output net = JavaEmitter.emit(Pipeline.run(g), spec, "demo.nets");
    JavaEmitter.Output trainer = TrainerEmitter.emit(g, spec, "demo.nets");
    List<String> args = new ArrayList<>(List.of("-d", dir.toString(), "-classpath",
        System.getProperty("java.class.path"), "-proc:none", "-Xlint:all,-path", "-Werror"));
    for (JavaEmitter.Output o : List.of(net, trainer)) {
      Path file = dir.resolve(o.className() + ".java");
      Files.writeString(file, o.source());
      args.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter log = new StringWriter();
    int rc = javac.run(null, null, new java.io.PrintStream(new java.io.OutputStream() {
      @Override
      public void write(int b) {
        log.write(b);
      }
    }), args.toArray(String[]::new));
    assertEquals(0, rc, log.toString());
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      Class<?> type = loader.loadClass(trainer.qualifiedName());
      Object config = type.getMethod("config").invoke(null);
      TrainConfig expected = TrainDefaults.apply(g.train(), TrainConfig.defaults()).withOut(Path.of("out", "LeNet5"));
      assertEquals(expected, config);
      Object model = type.getMethod("network", TrainConfig.class).invoke(null, config);
      assertEquals(net.qualifiedName(), model.getClass().getName());
    }
  }
}
