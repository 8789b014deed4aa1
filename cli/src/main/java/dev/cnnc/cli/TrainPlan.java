// Turns a spec's train section plus command-line flags into the runtime's TrainConfig: the
// section gives defaults, flags override them, and both are described back to the user.
package dev.cnnc.cli;

import dev.cnnc.compiler.TrainDefaults;
import dev.cnnc.compiler.resolve.TrainSpec;
import dev.cnnc.runtime.optim.OptimizerConfig;
import dev.cnnc.runtime.optim.Schedule;
import dev.cnnc.runtime.train.TrainConfig;
import java.util.Locale;

final class TrainPlan {
  /** What the command line set; null where it left the spec (or the default) in charge. */
  record Overrides(Integer epochs, Integer batch, Double lr, Double weightDecay, Double labelSmoothing,
      Long seed, String augment) {
    static final Overrides NONE = new Overrides(null, null, null, null, null, null, null);
  }

  /** Without a train section: TrainConfig.defaults() (10 epochs, batch 64, SGD lr 0.01 momentum 0.9). */
  private static final TrainConfig DEFAULTS = TrainConfig.defaults();
  /** crop without `pad:` pads by 4, as in the ResNet paper. */
  private static final int DEFAULT_CROP_PAD = 4;

  private TrainPlan() {}

  /**
   * The run's settings. Limits, threads, output folder and resume stay at their defaults for the
   * caller to set. Spec problems are exit-1 errors naming {@code specName}.
   */
  static TrainConfig resolve(TrainSpec spec, Overrides o, String specName) {
    try {
      TrainConfig c = TrainDefaults.apply(spec, DEFAULTS);
      if (o.epochs() != null) c = c.withEpochs(o.epochs());
      if (o.batch() != null) c = c.withBatch(o.batch());
      if (o.labelSmoothing() != null) c = c.withLabelSmoothing(o.labelSmoothing());
      if (o.seed() != null) c = c.withSeed(o.seed());
      if (o.lr() != null) c = c.withOptimizer(c.optimizer().withLr(o.lr()));
      if (o.weightDecay() != null) c = c.withOptimizer(c.optimizer().withWeightDecay(o.weightDecay()));
      return o.augment() != null ? augment(c, o.augment()) : c;
    } catch (IllegalArgumentException e) {
      throw new Main.UserError(Main.FAILED, specName + ": the train section does not work: " + e.getMessage());
    }
  }

  /** --augment: "none", or a comma-separated list of "crop", "crop:PAD" and "flip". */
  static TrainConfig augment(TrainConfig c, String list) {
    int pad = 0;
    boolean flip = false;
    for (String part : list.split(",")) {
      String p = part.strip().toLowerCase(Locale.ROOT);
      if (p.equals("none")) continue;
      if (p.equals("flip")) {
        flip = true;
      } else if (p.equals("crop")) {
        pad = DEFAULT_CROP_PAD;
      } else if (p.startsWith("crop:") && p.substring(5).matches("\\d{1,2}")) {
        pad = Integer.parseInt(p.substring(5));
      } else {
        throw new Main.UserError(Main.USAGE, "--augment '" + list + "': expected none, or a comma-separated"
            + " list of crop, crop:PAD and flip (e.g. crop:4,flip)");
      }
    }
    if (pad >= 32) throw new Main.UserError(Main.USAGE, "--augment: crop padding must be below 32, got " + pad);
    return c.withAugment(pad, flip);
  }

  /** One line for people: "2 epochs, batch 64, sgd(lr 0.01, momentum 0.9), constant lr, augment crop:4,flip". */
  static String describe(TrainConfig c) {
    OptimizerConfig o = c.optimizer();
    StringBuilder opt = new StringBuilder(o.kind().name().toLowerCase(Locale.ROOT)).append("(lr ").append(num(o.lr()));
    if (o.kind() == OptimizerConfig.Kind.SGD && o.momentum() > 0) {
      opt.append(", momentum ").append(num(o.momentum())).append(o.nesterov() ? ", nesterov" : "");
    }
    if (o.weightDecay() > 0) opt.append(", weight decay ").append(num(o.weightDecay()));
    opt.append(')');
    String augment = (c.cropPad() > 0 ? "crop:" + c.cropPad() : "") + (c.cropPad() > 0 && c.flip() ? "," : "")
        + (c.flip() ? "flip" : "");
    return String.format("%d epoch%s, batch %d, %s, %s, augment %s%s, seed %d", c.epochs(), c.epochs() == 1 ? "" : "s",
        c.batch(), opt, describe(c.schedule()), augment.isEmpty() ? "none" : augment,
        c.labelSmoothing() > 0 ? ", label smoothing " + num(c.labelSmoothing()) : "", c.seed());
  }

  private static String describe(Schedule s) {
    if (s instanceof Schedule.WarmUp w) return "warm-up " + num(w.epochs()) + " epochs then " + describe(w.then());
    if (s instanceof Schedule.StepDecay d) return "lr ×" + num(d.gamma()) + " every " + d.everyEpochs() + " epochs";
    if (s instanceof Schedule.Cosine cos) return "cosine lr" + (cos.minLr() > 0 ? " to " + num(cos.minLr()) : "");
    if (s instanceof Schedule.OneCycle) return "one-cycle lr";
    return "constant lr";
  }

  private static String num(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e9 ? Long.toString((long) d) : String.format(Locale.ROOT, "%.4g", d)
        .replaceAll("(\\.\\d*?)0+($|e)", "$1$2").replace(".e", "e").replaceAll("\\.$", "");
  }

}
