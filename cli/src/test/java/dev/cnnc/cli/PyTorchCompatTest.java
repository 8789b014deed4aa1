// A cnnc checkpoint loads into the equivalent PyTorch module (bench/torch_models.py) with load_state_dict(strict=True)
// and gives the same logits: names, layouts (O×I×kH×kW, out×in), flatten order, BN statistics.
// Skipped where /usr/bin/python3 has no torch (apt-get install -y python3-torch).
package dev.cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.Gson;
import dev.cnnc.compiler.Frontend;
import dev.cnnc.compiler.Pipeline;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.emit.JavaBackend;
import dev.cnnc.runtime.cpu.CpuNetwork;
import dev.cnnc.runtime.train.Checkpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PyTorchCompatTest {
  private static final String PYTHON = "/usr/bin/python3";
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"seed_simple_cnn.cnn, seed_simple_cnn", "resnet20.cnn, resnet20", "resnet56.cnn, resnet56",
      "vgg11.cnn, vgg11", "airbench94.cnn, airbench94", "lenet5.cnn, lenet5"})
  void weightsLoadIntoPyTorchAndGiveTheSameLogits(String file, String module) throws Exception {
    assumeTrue(hasTorch(), "PyTorch is not installed for " + PYTHON);
    Path repo = Path.of(System.getProperty("cnnc.repo", "..")).toAbsolutePath();
    SourceFile spec = new SourceFile(file, Files.readString(repo.resolve("examples").resolve(file)));
    Frontend.Result checked = Frontend.check(spec);
    int n = 4;
    CpuNetwork net = new JavaBackend(null).load(Pipeline.run(checked.graph().orElseThrow()), spec, n, 1);
    net.initialize(3);
    float[] x = new float[n * 3 * 32 * 32];
    SplittableRandom r = new SplittableRandom(4);
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
    // One training step moves the weights and the batch-norm running statistics off their start.
    net.trainStep(x, new int[] {1, 2, 3, 4}, n, 0f, 1);
    float[] p = net.parameterData();
    for (int i = 0; i < p.length; i++) p[i] -= 0.1f * net.gradientData()[i];
    float[] ours = new float[n * 10];
    net.infer(x, n, ours);

    Path weights = dir.resolve("weights.safetensors");
    Checkpoint.saveWeights(weights, net, Map.of("network", net.name()));
    Path images = dir.resolve("images.f32");
    ByteBuffer bytes = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : x) bytes.putFloat(v);
    Files.write(images, bytes.array());
    for (String script : new String[] {"torch_logits.py", "safetensors_reader.py"}) {
      try (var in = getClass().getResourceAsStream("/" + script)) {
        Files.write(dir.resolve(script), in.readAllBytes());
      }
    }
    String output = python(dir.resolve("torch_logits.py").toString(), repo.resolve("bench").toString(), module,
        weights.toString(), images.toString(), Integer.toString(n));
    double[] theirs = new Gson().fromJson(output.strip(), double[].class);
    assertEquals(ours.length, theirs.length);
    double worst = 0;
    for (int i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
    assertTrue(worst < 1e-3, "PyTorch's logits differ from cnnc's by up to " + worst);
  }

  private String python(String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 1];
    command[0] = PYTHON;
    System.arraycopy(args, 0, command, 1, args.length);
    Process proc = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(false).start();
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(proc.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(proc.waitFor(120, TimeUnit.SECONDS), "python timed out");
    assertEquals(0, proc.exitValue(), "python failed:\n" + err);
    return out;
  }

  private static boolean hasTorch() {
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", "import torch").start();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
