// What a spec's train section means for a run: its settings laid over a base TrainConfig.
package dev.cnnc.compiler;

import dev.cnnc.compiler.resolve.TrainSpec;
import dev.cnnc.runtime.optim.OptimizerConfig;
import dev.cnnc.runtime.optim.Schedule;
import dev.cnnc.runtime.train.TrainConfig;

/**
 * One place that turns the checked train section into the runtime's {@link TrainConfig}, so a
 * generated trainer and {@code cnnc train} agree on what a spec asks for. Settings the spec leaves
 * out keep the base value; command-line flags apply after this. Defaults follow PyTorch where the
 * spec names an optimizer or schedule without every argument:
 * <ul>
 *   <li>{@code sgd}: lr from the base, momentum 0; {@code adam}: lr 0.001; {@code adamw}: lr 0.001,
 *       weight decay 0.01; betas (0.9, 0.999), eps 1e-8. A top-level {@code lr} or
 *       {@code weight_decay} wins over the optimizer's argument.
 *   <li>{@code step}: gamma 0.1, every max(1, epochs / 3) epochs; {@code cosine}: min 0;
 *       {@code onecycle}: pct 0.3, div 25, final_div 1e4; {@code warmup W} wraps the schedule.
 *   <li>{@code augment}: {@code crop} pads 4 unless told, {@code flip}, {@code none}; the list
 *       replaces the base augmentation.
 * </ul>
 */
public final class TrainDefaults {
  private TrainDefaults() {}

  /**
   * @throws IllegalArgumentException when a value the checker let through is out of the runtime's
   *     range (say momentum 1.5); the message names the setting
   */
  public static TrainConfig apply(TrainSpec spec, TrainConfig base) {
    TrainConfig c = base;
    if (spec.epochs().isPresent()) c = c.withEpochs(spec.epochs().getAsInt());
    if (spec.batch().isPresent()) c = c.withBatch(spec.batch().getAsInt());
    if (spec.seed().isPresent()) c = c.withSeed(spec.seed().getAsLong());
    if (spec.labelSmoothing().isPresent()) c = c.withLabelSmoothing(spec.labelSmoothing().getAsDouble());
    OptimizerConfig optimizer = spec.optimizer().map(o -> optimizer(o, base.optimizer())).orElse(c.optimizer());
    if (spec.lr().isPresent()) optimizer = optimizer.withLr(spec.lr().getAsDouble());
    if (spec.weightDecay().isPresent()) optimizer = optimizer.withWeightDecay(spec.weightDecay().getAsDouble());
    c = c.withOptimizer(optimizer);
    int epochs = c.epochs();
    Schedule schedule = spec.schedule().map(s -> schedule(s, epochs)).orElse(c.schedule());
    if (spec.warmupEpochs().isPresent() && spec.warmupEpochs().getAsDouble() > 0) {
      schedule = schedule.withWarmUp(spec.warmupEpochs().getAsDouble());
    }
    c = c.withSchedule(schedule);
    if (!spec.augment().isEmpty()) {
      int pad = 0;
      boolean flip = false;
      for (TrainSpec.Choice a : spec.augment()) {
        switch (a.name()) {
          case "crop" -> pad = (int) a.arg("pad").orElse(4);
          case "flip" -> flip = true;
          default -> { } // none
        }
      }
      c = c.withAugment(pad, flip);
    }
    return c;
  }

  private static OptimizerConfig optimizer(TrainSpec.Choice o, OptimizerConfig base) {
    OptimizerConfig c = switch (o.name()) {
      case "adam" -> OptimizerConfig.adam(o.arg("lr").orElse(0.001));
      case "adamw" -> OptimizerConfig.adamW(o.arg("lr").orElse(0.001), 0.01);
      default -> OptimizerConfig.sgd(o.arg("lr").orElse(base.lr()), o.arg("momentum").orElse(0));
    };
    if (o.arg("nesterov").isPresent()) c = c.withNesterov(o.arg("nesterov").getAsDouble() != 0);
    if (o.arg("weight_decay").isPresent()) c = c.withWeightDecay(o.arg("weight_decay").getAsDouble());
    if (o.arg("beta1").isPresent() || o.arg("beta2").isPresent()) {
      c = c.withBetas(o.arg("beta1").orElse(c.beta1()), o.arg("beta2").orElse(c.beta2()));
    }
    if (o.arg("eps").isPresent()) c = c.withEps(o.arg("eps").getAsDouble());
    return c;
  }

  private static Schedule schedule(TrainSpec.Choice s, int epochs) {
    return switch (s.name()) {
      case "step" -> Schedule.step((int) s.arg("every").orElse(Math.max(1, epochs / 3)), s.arg("gamma").orElse(0.1));
      case "cosine" -> Schedule.cosine(s.arg("min").orElse(0));
      case "onecycle" -> new Schedule.OneCycle(s.arg("pct").orElse(0.3), s.arg("div").orElse(25),
          s.arg("final_div").orElse(1e4));
      default -> Schedule.constant();
    };
  }
}
