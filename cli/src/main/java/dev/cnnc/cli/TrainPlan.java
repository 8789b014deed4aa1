// Turns a spec's train section plus command-line flags into the runtime's TrainConfig: the
// section gives defaults, flags override them, and both are described back to the user.
package dev.cnnc.cli;

import dev.cnnc.compiler.resolve.TrainSpec;
import dev.cnnc.compiler.resolve.TrainSpec.Choice;
import dev.cnnc.runtime.optim.OptimizerConfig;
import dev.cnnc.runtime.optim.Schedule;
import dev.cnnc.runtime.train.TrainConfig;
import java.util.Locale;
import java.util.OptionalDouble;

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
      TrainConfig c = DEFAULTS
          .withEpochs(pick(o.epochs(), spec.epochs().isPresent() ? spec.epochs().getAsInt() : null, DEFAULTS.epochs()))
          .withBatch(pick(o.batch(), spec.batch().isPresent() ? spec.batch().getAsInt() : null, DEFAULTS.batch()))
          .withOptimizer(optimizer(spec, o, specName))
          .withSchedule(schedule(spec, specName))
          .withLabelSmoothing(pick(o.labelSmoothing(), box(spec.labelSmoothing()), 0.0))
          .withSeed(pick(o.seed(), spec.seed().isPresent() ? spec.seed().getAsLong() : null, DEFAULTS.seed()));
      if (o.augment() != null) return augment(c, o.augment());
      int pad = 0;
      boolean flip = false;
      for (Choice a : spec.augment()) {
        switch (a.name()) {
          case "crop" -> pad = (int) a.arg("pad").orElse(DEFAULT_CROP_PAD);
          case "flip" -> flip = true;
          default -> { } // none
        }
      }
      return c.withAugment(pad, flip);
    } catch (IllegalArgumentException e) {
      throw new Main.UserError(Main.FAILED, specName + ": the train section does not work: " + e.getMessage());
    }
  }

  /**
   * The optimizer as the section names it, with PyTorch's defaults for arguments it leaves out.
   * The section's `lr` and `weight_decay` lines are the same settings as the optimizer's
   * arguments; giving both with different values is an error rather than a silent choice.
   */
  private static OptimizerConfig optimizer(TrainSpec spec, Overrides o, String specName) {
    Choice c = spec.optimizer().orElse(null);
    OptimizerConfig opt;
    if (c == null) {
      opt = DEFAULTS.optimizer();
    } else {
      opt = switch (c.name()) {
        case "sgd" -> OptimizerConfig.sgd(c.arg("lr").orElse(0.01), c.arg("momentum").orElse(0))
            .withNesterov(c.arg("nesterov").orElse(0) != 0);
        case "adam" -> OptimizerConfig.adam(c.arg("lr").orElse(1e-3));
        case "adamw" -> OptimizerConfig.adamW(c.arg("lr").orElse(1e-3), 0.01);
        default -> throw new IllegalArgumentException("unknown optimizer " + c.name());
      };
      if (!c.name().equals("sgd")) {
        opt = opt.withBetas(c.arg("beta1").orElse(0.9), c.arg("beta2").orElse(0.999)).withEps(c.arg("eps").orElse(1e-8));
      }
      if (c.arg("weight_decay").isPresent()) opt = opt.withWeightDecay(c.arg("weight_decay").getAsDouble());
    }
    opt = opt.withLr(agree("lr", spec.lr(), c == null ? OptionalDouble.empty() : c.arg("lr"), opt.lr(), specName));
    opt = opt.withWeightDecay(agree("weight_decay", spec.weightDecay(),
        c == null ? OptionalDouble.empty() : c.arg("weight_decay"), opt.weightDecay(), specName));
    if (o.lr() != null) opt = opt.withLr(o.lr());
    if (o.weightDecay() != null) opt = opt.withWeightDecay(o.weightDecay());
    return opt;
  }

  private static double agree(String key, OptionalDouble line, OptionalDouble arg, double otherwise, String specName) {
    if (line.isPresent() && arg.isPresent() && line.getAsDouble() != arg.getAsDouble()) {
      throw new Main.UserError(Main.FAILED, String.format("%s: the train section sets %s twice, `%s %s` and"
          + " `%s: %s` in the optimizer; keep one of them", specName, key, key, num(line.getAsDouble()), key,
          num(arg.getAsDouble())));
    }
    return line.isPresent() ? line.getAsDouble() : otherwise;
  }

  private static Schedule schedule(TrainSpec spec, String specName) {
    Schedule s = Schedule.constant();
    if (spec.schedule().isPresent()) {
      Choice c = spec.schedule().get();
      s = switch (c.name()) {
        case "constant" -> Schedule.constant();
        case "step" -> {
          if (c.arg("every").isEmpty()) {
            throw new Main.UserError(Main.FAILED, specName + ": `schedule step` needs `every:`, the epochs between"
                + " decays, e.g. `schedule step(every: 30, gamma: 0.1)`");
          }
          yield Schedule.step((int) c.arg("every").getAsDouble(), c.arg("gamma").orElse(0.1));
        }
        case "cosine" -> Schedule.cosine(c.arg("min").orElse(0));
        case "onecycle" -> new Schedule.OneCycle(c.arg("pct").orElse(0.3), c.arg("div").orElse(25),
            c.arg("final_div").orElse(1e4));
        default -> throw new IllegalArgumentException("unknown schedule " + c.name());
      };
    }
    return spec.warmupEpochs().isPresent() && spec.warmupEpochs().getAsDouble() > 0
        ? s.withWarmUp(spec.warmupEpochs().getAsDouble()) : s;
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

  private static <T> T pick(T flag, T fromSpec, T otherwise) {
    return flag != null ? flag : fromSpec != null ? fromSpec : otherwise;
  }

  private static Double box(OptionalDouble d) {
    return d.isPresent() ? d.getAsDouble() : null;
  }
}
