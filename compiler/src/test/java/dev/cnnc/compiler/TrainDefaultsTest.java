// The train section's meaning: each setting lands in the runtime's TrainConfig, unset ones keep the base.
package dev.cnnc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.diag.TextRenderer;
import dev.cnnc.runtime.optim.OptimizerConfig;
import dev.cnnc.runtime.optim.Schedule;
import dev.cnnc.runtime.train.TrainConfig;
import org.junit.jupiter.api.Test;

class TrainDefaultsTest {
  private static final String NET = "network N {\n  input 3x32x32\n  -> flatten -> fc(10)\n}\n";

  private static TrainConfig config(String train) {
    SourceFile s = new SourceFile("t.cnn", NET + "train {\n" + train + "\n}\n");
    Frontend.Result r = Frontend.check(s);
    assertTrue(r.ok(), () -> TextRenderer.render(s, r.diagnostics().sorted()));
    return TrainDefaults.apply(r.graph().orElseThrow().train(), TrainConfig.defaults());
  }

  @Test
  void noTrainSectionKeepsTheBase() {
    Frontend.Result r = Frontend.check(new SourceFile("t.cnn", NET));
    assertEquals(TrainConfig.defaults(), TrainDefaults.apply(r.graph().orElseThrow().train(), TrainConfig.defaults()));
  }

  @Test
  void seedArticleSettings() {
    TrainConfig c = config("epochs 10\nbatch 64\noptimizer sgd(lr: 0.01, momentum: 0.9)\naugment crop(pad: 4), flip");
    assertEquals(TrainConfig.defaults().withAugment(4, true), c);
  }

  @Test
  void optimizerDefaultsFollowPyTorch() {
    assertEquals(OptimizerConfig.sgd(0.01, 0), config("optimizer sgd").optimizer());
    assertEquals(OptimizerConfig.adam(0.001), config("optimizer adam").optimizer());
    assertEquals(OptimizerConfig.adamW(0.001, 0.01), config("optimizer adamw").optimizer());
    assertEquals(OptimizerConfig.adam(0.002).withBetas(0.8, 0.99).withEps(1e-6),
        config("optimizer adam(lr: 0.002, beta1: 0.8, beta2: 0.99, eps: 0.000001)").optimizer());
    assertEquals(OptimizerConfig.sgd(0.1, 0.9).withNesterov(true).withWeightDecay(5e-4),
        config("optimizer sgd(lr: 0.1, momentum: 0.9, nesterov: true, wd: 0.0005)").optimizer());
  }

  @Test
  void topLevelLrAndDecayApplyToTheOptimizer() {
    TrainConfig c = config("optimizer sgd(momentum: 0.9)\nlr 0.05\nweight_decay 0.001");
    assertEquals(OptimizerConfig.sgd(0.05, 0.9).withWeightDecay(0.001), c.optimizer());
    assertTrue(rejected("optimizer sgd(lr: 0.1)\nlr 0.05").contains("`lr` is set twice"));
  }

  @Test
  void schedulesAndWarmUp() {
    assertTrue(rejected("epochs 9\nschedule step").contains("needs `every:`"));
    assertEquals(Schedule.step(2, 0.5), config("schedule step(every: 2, gamma: 0.5)").schedule());
    assertEquals(Schedule.cosine(0), config("schedule cosine").schedule());
    assertEquals(Schedule.oneCycle(), config("schedule onecycle").schedule());
    assertEquals(Schedule.cosine(0.001).withWarmUp(2), config("schedule cosine(min: 0.001)\nwarmup 2").schedule());
  }

  @Test
  void otherSettings() {
    TrainConfig c = config("epochs 3\nbatch 32\nseed 7\nlabel_smoothing 0.1\naugment crop");
    assertEquals(TrainConfig.defaults().withEpochs(3).withBatch(32).withSeed(7).withLabelSmoothing(0.1)
        .withAugment(4, false), c);
    assertEquals(TrainConfig.defaults(), config("augment none"));
  }

  @Test
  void outOfRangeValuesAreSpecErrors() {
    assertTrue(rejected("optimizer sgd(momentum: 1.5)").contains("momentum"));
  }

  /** The rendered diagnostics of a train section the checker rejects. */
  private static String rejected(String train) {
    SourceFile s = new SourceFile("t.cnn", NET + "train {\n" + train + "\n}\n");
    Frontend.Result r = Frontend.check(s);
    assertTrue(!r.ok(), "expected errors for: " + train);
    return TextRenderer.render(s, r.diagnostics().sorted());
  }
}
