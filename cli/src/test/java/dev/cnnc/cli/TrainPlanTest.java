// The train section → TrainConfig mapping: PyTorch defaults, every schedule and augmentation,
// flags overriding the section, and contradictions reported instead of silently resolved.
package dev.cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnnc.compiler.Frontend;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.resolve.TrainSpec;
import dev.cnnc.runtime.optim.OptimizerConfig;
import dev.cnnc.runtime.optim.Schedule;
import dev.cnnc.runtime.train.TrainConfig;
import org.junit.jupiter.api.Test;

class TrainPlanTest {
  private static TrainSpec section(String body) {
    Frontend.Result r = Frontend.check(new SourceFile("t.cnn",
        "network T {\n input 3x32x32\n -> flatten -> fc(10)\n}\ntrain {\n" + body + "\n}\n"));
    assertTrue(r.ok(), r.diagnostics().sorted().toString());
    return r.graph().orElseThrow().train();
  }

  /** The checker's messages for a section it rejects. */
  private static String rejected(String body) {
    Frontend.Result r = Frontend.check(new SourceFile("t.cnn",
        "network T {\n input 3x32x32\n -> flatten -> fc(10)\n}\ntrain {\n" + body + "\n}\n"));
    assertFalse(r.ok(), "expected the section to be rejected: " + body);
    return r.diagnostics().sorted().toString();
  }

  private static TrainConfig resolve(String body) {
    return TrainPlan.resolve(section(body), TrainPlan.Overrides.NONE, "t.cnn");
  }

  @Test
  void noSectionGivesTheRuntimeDefaults() {
    TrainConfig c = TrainPlan.resolve(TrainSpec.EMPTY, TrainPlan.Overrides.NONE, "t.cnn");
    TrainConfig d = TrainConfig.defaults();
    assertEquals(d.epochs(), c.epochs());
    assertEquals(d.batch(), c.batch());
    assertEquals(d.optimizer(), c.optimizer());
    assertEquals(Schedule.constant(), c.schedule());
    assertEquals(0, c.cropPad());
    assertFalse(c.flip());
  }

  @Test
  void theSeedSpecsSection() {
    TrainConfig c = resolve("epochs 10\n batch 64\n optimizer sgd(lr: 0.01, momentum: 0.9)\n augment crop(pad: 4), flip");
    assertEquals(10, c.epochs());
    assertEquals(64, c.batch());
    assertEquals(OptimizerConfig.sgd(0.01, 0.9), c.optimizer());
    assertEquals(4, c.cropPad());
    assertTrue(c.flip());
    assertEquals("10 epochs, batch 64, sgd(lr 0.01, momentum 0.9), constant lr, augment crop:4,flip, seed 0",
        TrainPlan.describe(c));
  }

  @Test
  void optimizersGetPyTorchDefaultsForWhatTheyLeaveOut() {
    assertEquals(OptimizerConfig.sgd(0.1, 0), resolve("optimizer sgd(lr: 0.1)").optimizer());
    assertEquals(OptimizerConfig.sgd(0.2, 0.85).withNesterov(true).withWeightDecay(5e-4),
        resolve("optimizer sgd(lr: 0.2, momentum: 0.85, nesterov: true, weight_decay: 5e-4)").optimizer());
    assertEquals(OptimizerConfig.adam(1e-3), resolve("optimizer adam").optimizer());
    assertEquals(OptimizerConfig.adamW(3e-3, 0.01).withBetas(0.8, 0.99).withEps(1e-6),
        resolve("optimizer adamw(lr: 3e-3, beta1: 0.8, beta2: 0.99, eps: 1e-6)").optimizer());
    assertEquals(OptimizerConfig.adamW(1e-3, 0.05), resolve("optimizer adamw(wd: 0.05)").optimizer());
  }

  @Test
  void topLevelLrAndWeightDecayApplyToTheOptimizer() {
    assertEquals(OptimizerConfig.sgd(0.05, 0.9), resolve("lr 0.05").optimizer());
    assertEquals(OptimizerConfig.adam(0.002).withWeightDecay(1e-4), resolve("optimizer adam\n lr 0.002\n weight_decay 1e-4").optimizer());
    assertEquals(0.1, resolve("optimizer sgd(lr: 0.1)\n lr 0.1").optimizer().lr());
    String lrTwice = rejected("optimizer sgd(lr: 0.1)\n lr 0.2");
    assertTrue(lrTwice.contains("`lr` is set twice"), lrTwice);
  }

  @Test
  void schedulesAndWarmUp() {
    assertEquals(Schedule.step(30, 0.1), resolve("schedule step(every: 30)").schedule());
    assertEquals(Schedule.step(91, 0.2), resolve("schedule step(every: 91, gamma: 0.2)").schedule());
    assertEquals(Schedule.cosine(1e-4), resolve("schedule cosine(min: 1e-4)").schedule());
    assertEquals(Schedule.oneCycle(), resolve("schedule onecycle").schedule());
    assertEquals(new Schedule.OneCycle(0.25, 10, 100), resolve("schedule onecycle(pct: 0.25, div: 10, final_div: 100)").schedule());
    assertEquals(Schedule.cosine().withWarmUp(2), resolve("schedule cosine\n warmup 2").schedule());
    assertTrue(TrainPlan.describe(resolve("schedule cosine\n warmup 2")).contains(", warm-up 2 epochs then cosine lr,"));
    String noEvery = rejected("schedule step(gamma: 0.5)");
    assertTrue(noEvery.contains("needs `every:`"), noEvery);
  }

  @Test
  void augmentationAndSmoothing() {
    TrainConfig c = resolve("augment crop\n label_smoothing 0.1\n seed 7");
    assertEquals(4, c.cropPad());
    assertFalse(c.flip());
    assertEquals(0.1, c.labelSmoothing());
    assertEquals(7, c.seed());
    assertEquals(0, resolve("augment none").cropPad());
  }

  @Test
  void flagsOverrideTheSection() {
    TrainSpec s = section("epochs 10\n batch 64\n optimizer sgd(lr: 0.01, momentum: 0.9, weight_decay: 5e-4)\n"
        + " augment crop(pad: 4), flip\n label_smoothing 0.1\n seed 3");
    TrainConfig c = TrainPlan.resolve(s, new TrainPlan.Overrides(2, 16, 0.2, 0.0, 0.0, 9L, "crop:2"), "t.cnn");
    assertEquals(2, c.epochs());
    assertEquals(16, c.batch());
    assertEquals(OptimizerConfig.sgd(0.2, 0.9), c.optimizer());
    assertEquals(0, c.labelSmoothing());
    assertEquals(9, c.seed());
    assertEquals(2, c.cropPad());
    assertFalse(c.flip());
  }

  @Test
  void augmentFlag() {
    TrainConfig d = TrainConfig.defaults();
    assertEquals(4, TrainPlan.augment(d, "crop,flip").cropPad());
    assertTrue(TrainPlan.augment(d, "flip").flip());
    assertEquals(0, TrainPlan.augment(d, "none").cropPad());
    Main.UserError e = assertThrows(Main.UserError.class, () -> TrainPlan.augment(d, "rotate"));
    assertEquals(Main.USAGE, e.exitCode);
    assertThrows(Main.UserError.class, () -> TrainPlan.augment(d, "crop:40"));
  }

  @Test
  void impossibleOptimizerSettingsAreSpecErrors() {
    Main.UserError e = assertThrows(Main.UserError.class, () -> resolve("optimizer sgd(lr: 0.1, nesterov: true)"));
    assertEquals(Main.FAILED, e.exitCode);
    assertTrue(e.getMessage().contains("Nesterov"), e.getMessage());
  }
}
