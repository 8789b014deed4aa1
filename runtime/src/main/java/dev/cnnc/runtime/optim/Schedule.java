// Learning rate as a function of the global step: constant, step decay, cosine, warm-up, one-cycle.
package dev.cnnc.runtime.optim;

/**
 * A learning-rate schedule. Steps count optimizer updates from 0 over the whole run; a run has
 * {@code epochs × stepsPerEpoch} of them. Schedules are pure functions of the step, so a resumed
 * run needs no schedule state.
 */
public sealed interface Schedule {
  /** The learning rate for {@code step} (from 0) of a run of {@code epochs} epochs. */
  default double lr(double baseLr, long step, int stepsPerEpoch, int epochs) {
    return lrAt(baseLr, step, (long) stepsPerEpoch * epochs, stepsPerEpoch);
  }

  /** The learning rate for {@code step} of a run of {@code totalSteps} steps. */
  double lrAt(double baseLr, long step, long totalSteps, int stepsPerEpoch);

  /** This schedule after a linear warm-up over the first {@code epochs} epochs. */
  default Schedule withWarmUp(double epochs) {
    return new WarmUp(epochs, this);
  }

  static Schedule constant() {
    return new Constant();
  }

  static Schedule step(int everyEpochs, double gamma) {
    return new StepDecay(everyEpochs, gamma);
  }

  static Schedule cosine() {
    return new Cosine(0);
  }

  static Schedule cosine(double minLr) {
    return new Cosine(minLr);
  }

  static Schedule oneCycle() {
    return new OneCycle(0.3, 25, 1e4);
  }

  /** The base learning rate throughout. */
  record Constant() implements Schedule {
    @Override
    public double lrAt(double baseLr, long step, long totalSteps, int stepsPerEpoch) {
      return baseLr;
    }
  }

  /** torch.optim.lr_scheduler.StepLR stepped once an epoch: base · gamma^⌊epoch / everyEpochs⌋. */
  record StepDecay(int everyEpochs, double gamma) implements Schedule {
    public StepDecay {
      if (everyEpochs < 1 || !(gamma > 0)) throw new IllegalArgumentException("step(" + everyEpochs + ", " + gamma + ")");
    }

    @Override
    public double lrAt(double baseLr, long step, long totalSteps, int stepsPerEpoch) {
      long epoch = step / stepsPerEpoch;
      return baseLr * Math.pow(gamma, epoch / everyEpochs);
    }
  }

  /**
   * Cosine annealing from the base rate to {@code minLr} over the run, updated every step
   * (torch's CosineAnnealingLR with T_max = total steps): min + (base − min)·(1 + cos(π·step/total))/2.
   */
  record Cosine(double minLr) implements Schedule {
    public Cosine {
      if (minLr < 0) throw new IllegalArgumentException("cosine minimum " + minLr);
    }

    @Override
    public double lrAt(double baseLr, long step, long totalSteps, int stepsPerEpoch) {
      double progress = Math.min(1, (double) step / Math.max(1, totalSteps));
      return minLr + (baseLr - minLr) * (1 + Math.cos(Math.PI * progress)) / 2;
    }
  }

  /**
   * Linear warm-up: step s of the first W = round(epochs · stepsPerEpoch) steps gets base·(s+1)/W,
   * so the last warm-up step reaches the base rate; afterwards {@code then} runs over the
   * remaining steps as if they were a whole run (like torch's SequentialLR).
   */
  record WarmUp(double epochs, Schedule then) implements Schedule {
    public WarmUp {
      if (!(epochs >= 0) || then == null) throw new IllegalArgumentException("warm-up " + epochs);
    }

    @Override
    public double lrAt(double baseLr, long step, long totalSteps, int stepsPerEpoch) {
      long warm = Math.min(totalSteps, Math.round(epochs * stepsPerEpoch));
      if (step < warm) return baseLr * (step + 1) / warm;
      return then.lrAt(baseLr, step - warm, totalSteps - warm, stepsPerEpoch);
    }
  }

  /**
   * torch's OneCycleLR (two phases, cosine annealing), with the base rate as max_lr: from
   * max/divFactor up to max over the first pctStart of the steps, then down to
   * max/(divFactor·finalDivFactor) at the last step. Momentum is not cycled.
   */
  record OneCycle(double pctStart, double divFactor, double finalDivFactor) implements Schedule {
    public OneCycle {
      if (!(pctStart > 0 && pctStart < 1) || !(divFactor > 0) || !(finalDivFactor > 0)) {
        throw new IllegalArgumentException("oneCycle(" + pctStart + ", " + divFactor + ", " + finalDivFactor + ")");
      }
    }

    @Override
    public double lrAt(double baseLr, long step, long totalSteps, int stepsPerEpoch) {
      double initial = baseLr / divFactor;
      double min = initial / finalDivFactor;
      double peak = pctStart * totalSteps - 1; // torch: float(pct_start * total_steps) - 1
      double last = totalSteps - 1;
      double s = Math.min(step, last);
      if (s <= peak && peak > 0) return anneal(initial, baseLr, s / peak);
      return anneal(baseLr, min, (s - peak) / (last - peak));
    }

    private static double anneal(double start, double end, double pct) {
      return end + (start - end) / 2 * (Math.cos(Math.PI * pct) + 1);
    }
  }
}
