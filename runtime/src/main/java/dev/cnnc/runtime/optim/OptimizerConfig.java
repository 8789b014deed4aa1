// Which optimizer to use and its hyper-parameters, with PyTorch's names and defaults.
package dev.cnnc.runtime.optim;

import dev.cnnc.runtime.TensorSpec;
import java.util.List;

/**
 * @param lr base learning rate; the schedule scales it step by step
 * @param momentum SGD momentum (0: plain SGD)
 * @param dampening SGD dampening, as in {@code torch.optim.SGD}
 * @param nesterov SGD Nesterov momentum
 * @param weightDecay L2 penalty for SGD and Adam, decoupled decay for AdamW
 * @param beta1 Adam's first-moment decay
 * @param beta2 Adam's second-moment decay
 * @param eps Adam's denominator term
 */
public record OptimizerConfig(Kind kind, double lr, double momentum, double dampening,
    boolean nesterov, double weightDecay, double beta1, double beta2, double eps) {
  public enum Kind { SGD, ADAM, ADAMW }

  public OptimizerConfig {
    check(lr >= 0, "learning rate must be ≥ 0, got " + lr);
    check(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got " + momentum);
    check(dampening >= 0 && dampening <= 1, "dampening must be in [0, 1], got " + dampening);
    check(!nesterov || (momentum > 0 && dampening == 0), "Nesterov needs momentum > 0 and no dampening");
    check(weightDecay >= 0, "weight decay must be ≥ 0, got " + weightDecay);
    check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must be in [0, 1)");
    check(eps > 0, "eps must be > 0, got " + eps);
  }

  /** {@code torch.optim.SGD(lr=lr, momentum=momentum)}. */
  public static OptimizerConfig sgd(double lr, double momentum) {
    return new OptimizerConfig(Kind.SGD, lr, momentum, 0, false, 0, 0.9, 0.999, 1e-8);
  }

  /** {@code torch.optim.Adam(lr=lr)}: betas (0.9, 0.999), eps 1e-8, no weight decay. */
  public static OptimizerConfig adam(double lr) {
    return new OptimizerConfig(Kind.ADAM, lr, 0, 0, false, 0, 0.9, 0.999, 1e-8);
  }

  /** {@code torch.optim.AdamW(lr=lr, weight_decay=weightDecay)}. */
  public static OptimizerConfig adamW(double lr, double weightDecay) {
    return new OptimizerConfig(Kind.ADAMW, lr, 0, 0, false, weightDecay, 0.9, 0.999, 1e-8);
  }

  public OptimizerConfig withLr(double v) {
    return new OptimizerConfig(kind, v, momentum, dampening, nesterov, weightDecay, beta1, beta2, eps);
  }

  public OptimizerConfig withWeightDecay(double v) {
    return new OptimizerConfig(kind, lr, momentum, dampening, nesterov, v, beta1, beta2, eps);
  }

  public OptimizerConfig withNesterov(boolean v) {
    return new OptimizerConfig(kind, lr, momentum, dampening, v, weightDecay, beta1, beta2, eps);
  }

  public OptimizerConfig withDampening(double v) {
    return new OptimizerConfig(kind, lr, momentum, v, nesterov, weightDecay, beta1, beta2, eps);
  }

  public OptimizerConfig withBetas(double b1, double b2) {
    return new OptimizerConfig(kind, lr, momentum, dampening, nesterov, weightDecay, b1, b2, eps);
  }

  public OptimizerConfig withEps(double v) {
    return new OptimizerConfig(kind, lr, momentum, dampening, nesterov, weightDecay, beta1, beta2, v);
  }

  /** A fresh optimizer for a parameter array of {@code size} floats laid out by {@code params}. */
  public Optimizer create(List<TensorSpec> params, int size) {
    ParamRanges ranges = new ParamRanges(params, size);
    return switch (kind) {
      case SGD -> new Sgd(this, ranges);
      case ADAM -> new Adam(this, ranges, false);
      case ADAMW -> new Adam(this, ranges, true);
    };
  }

  private static void check(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
