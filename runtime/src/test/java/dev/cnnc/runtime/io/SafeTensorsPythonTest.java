// Loads a file written by cnnc into a PyTorch module with load_state_dict; skipped without python3 + torch.
package dev.cnnc.runtime.io;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cnnc.runtime.io.SafeTensors.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsPythonTest {
  static final Path PYTHON = Path.of("/usr/bin/python3");

  // Uses the safetensors package when installed, else reads the format with json + torch.frombuffer.
  static final String SCRIPT = String.join("\n",
      "import json, struct, sys, torch",
      "path = sys.argv[1]",
      "try:",
      "    from safetensors.torch import load_file",
      "    state = load_file(path)",
      "except ImportError:",
      "    raw = open(path, 'rb').read()",
      "    n = struct.unpack('<Q', raw[:8])[0]",
      "    header = json.loads(raw[8:8 + n])",
      "    header.pop('__metadata__', None)",
      "    data = bytearray(raw[8 + n:])",
      "    state = {k: torch.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]],",
      "             dtype=torch.float32).reshape(v['shape']) for k, v in header.items()}",
      "fc = torch.nn.Linear(4, 3)",
      "fc.load_state_dict({k[3:]: v for k, v in state.items()})",
      "x = torch.arange(8, dtype=torch.float32).reshape(2, 4) / 8",
      "print(json.dumps(fc(x).detach().flatten().tolist()))");

  @TempDir Path tmp;

  @Test
  void pytorchLoadsTheCheckpointIntoAnEquivalentModule() throws Exception {
    assumeTrue(Files.isExecutable(PYTHON) && run("-c", "import torch").exitCode == 0,
        "python3 with torch not available");
    float[] w = new float[12]; // (3, 4)
    float[] b = {0.5f, -1f, 2f}; // (3)
    for (int i = 0; i < w.length; i++) w[i] = (i - 6) / 7f;
    Path f = tmp.resolve("fc.safetensors");
    SafeTensors.write(f, List.of(Tensor.of("fc.weight", new int[] {3, 4}, w),
        Tensor.of("fc.bias", new int[] {3}, b)), Map.of("network", "Test"));
    Path script = Files.writeString(tmp.resolve("load.py"), SCRIPT);
    Result r = run(script.toString(), f.toString());
    assertEquals(0, r.exitCode, r.output);
    String[] got = r.output.strip().replaceAll("[\\[\\]]", "").split(",\\s*");
    assertEquals(6, got.length, r.output);
    for (int n = 0; n < 2; n++) {
      for (int o = 0; o < 3; o++) {
        double want = b[o];
        for (int i = 0; i < 4; i++) want += w[o * 4 + i] * (n * 4 + i) / 8.0;
        assertEquals(want, Double.parseDouble(got[n * 3 + o]), 1e-5, "output " + n + "," + o);
      }
    }
  }

  record Result(int exitCode, String output) {}

  static Result run(String... args) throws IOException, InterruptedException {
    String[] cmd = new String[args.length + 1];
    cmd[0] = PYTHON.toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, "timed out");
    }
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
