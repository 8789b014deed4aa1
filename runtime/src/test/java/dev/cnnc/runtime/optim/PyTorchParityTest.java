// Runs the same updates through torch.optim and torch's OneCycleLR and compares; skipped without python3 + torch.
package dev.cnnc.runtime.optim;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import dev.cnnc.runtime.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PyTorchParityTest {
  static final Path PYTHON = Path.of("/usr/bin/python3");
  static final int STEPS = 4;

  static final String SCRIPT = String.join("\n",
      "import json, sys, torch",
      "def run(case):",
      "    w = torch.tensor(case['w']).reshape(2, 3).requires_grad_()",
      "    b = torch.tensor(case['b']).requires_grad_()",
      "    groups = [{'params': [w], 'weight_decay': case['wd']}, {'params': [b], 'weight_decay': 0.0}]",
      "    if case['kind'] == 'SGD':",
      "        opt = torch.optim.SGD(groups, lr=case['lr'], momentum=case['momentum'],",
      "                              dampening=case['dampening'], nesterov=case['nesterov'])",
      "    else:",
      "        cls = torch.optim.Adam if case['kind'] == 'ADAM' else torch.optim.AdamW",
      "        opt = cls(groups, lr=case['lr'], betas=(case['beta1'], case['beta2']), eps=case['eps'])",
      "    for s in range(len(case['gw'])):",
      "        w.grad = torch.tensor(case['gw'][s]).reshape(2, 3)",
      "        b.grad = torch.tensor(case['gb'][s])",
      "        opt.step()",
      "    return w.detach().flatten().tolist() + b.detach().tolist()",
      "o = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)",
      "sched = torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, epochs=10, steps_per_epoch=100,",
      "                                            cycle_momentum=False)",
      "lrs = []",
      "for s in range(1000):",
      "    lrs.append(sched.get_last_lr()[0])",
      "    o.step(); sched.step()",
      "cases = json.load(open(sys.argv[1]))",
      "print(json.dumps({'params': [run(c) for c in cases], 'lrs': lrs}))");

  @TempDir Path tmp;

  @Test
  void optimizersAndOneCycleMatchTorch() throws Exception {
    assumeTrue(Files.isExecutable(PYTHON) && python("-c", "import torch").exitCode == 0,
        "python3 with torch not available");
    List<OptimizerConfig> configs = List.of(
        OptimizerConfig.sgd(0.1, 0.9).withWeightDecay(5e-4),
        OptimizerConfig.sgd(0.1, 0.9).withNesterov(true).withWeightDecay(1e-2),
        OptimizerConfig.sgd(0.1, 0.5).withDampening(0.5),
        OptimizerConfig.adam(1e-2).withWeightDecay(1e-2),
        OptimizerConfig.adamW(1e-2, 0.1).withBetas(0.8, 0.99));
    Random r = new Random(7);
    float[] start = OptimizerTest.random(r, 9); // weight (2, 3) decayed, then bias (3)
    List<float[]> grads = new ArrayList<>();
    for (int s = 0; s < STEPS; s++) grads.add(OptimizerTest.random(r, 9));
    List<Map<String, Object>> cases = new ArrayList<>();
    for (OptimizerConfig c : configs) cases.add(input(c, start, grads));
    Path script = Files.writeString(tmp.resolve("parity.py"), SCRIPT);
    Path in = Files.writeString(tmp.resolve("cases.json"), new Gson().toJson(cases));
    Result res = python(script.toString(), in.toString());
    assertEquals(0, res.exitCode, res.output);
    var json = JsonParser.parseString(res.output.strip()).getAsJsonObject();

    JsonArray torchParams = json.getAsJsonArray("params");
    for (int k = 0; k < configs.size(); k++) {
      OptimizerConfig c = configs.get(k);
      float[] p = start.clone();
      Optimizer o = c.create(List.of(
          new TensorSpec("fc.weight", new int[] {2, 3}, 0, true),
          new TensorSpec("fc.bias", new int[] {3}, 6, false)), 9);
      for (float[] g : grads) o.step(p, g, c.lr());
      JsonArray want = torchParams.get(k).getAsJsonArray();
      for (int i = 0; i < 9; i++) {
        double torch = want.get(i).getAsDouble();
        assertEquals(torch, p[i], 2e-6 * Math.max(1, Math.abs(torch)), c + " index " + i);
      }
    }
    JsonArray lrs = json.getAsJsonArray("lrs");
    Schedule oneCycle = Schedule.oneCycle();
    for (int s = 0; s < 1000; s++) {
      assertEquals(lrs.get(s).getAsDouble(), oneCycle.lr(0.1, s, 100, 10), 1e-12, "OneCycle step " + s);
    }
  }

  private static Map<String, Object> input(OptimizerConfig c, float[] p, List<float[]> grads) {
    return Map.ofEntries(
        Map.entry("kind", c.kind().name()), Map.entry("lr", c.lr()), Map.entry("wd", c.weightDecay()),
        Map.entry("momentum", c.momentum()), Map.entry("dampening", c.dampening()),
        Map.entry("nesterov", c.nesterov()), Map.entry("beta1", c.beta1()), Map.entry("beta2", c.beta2()),
        Map.entry("eps", c.eps()),
        Map.entry("w", slice(p, 0, 6)), Map.entry("b", slice(p, 6, 9)),
        Map.entry("gw", grads.stream().map(g -> slice(g, 0, 6)).toList()),
        Map.entry("gb", grads.stream().map(g -> slice(g, 6, 9)).toList()));
  }

  private static float[] slice(float[] a, int from, int to) {
    return java.util.Arrays.copyOfRange(a, from, to);
  }

  record Result(int exitCode, String output) {}

  static Result python(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(PYTHON.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, "timed out");
    }
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes()));
  }
}
