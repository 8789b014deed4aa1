// Adam and AdamW with bias correction, as torch.optim.Adam / torch.optim.AdamW (amsgrad off).
package dev.cnnc.runtime.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per element, at step t: Adam adds wd·p to the gradient, AdamW instead shrinks p by (1 − lr·wd);
 * m = lerp(m, g, 1 − β1); v = β2·v + (1 − β2)·g²; p = p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε).
 * The order of operations follows PyTorch's single-tensor implementation, in float.
 */
public final class Adam implements Optimizer {
  private final OptimizerConfig config;
  private final ParamRanges ranges;
  private final boolean decoupled;
  private final float[] expAvg; // m, same layout as the parameters
  private final float[] expAvgSq; // v
  private long steps;

  Adam(OptimizerConfig config, ParamRanges ranges, boolean decoupled) {
    this.config = config;
    this.ranges = ranges;
    this.decoupled = decoupled;
    this.expAvg = new float[ranges.size];
    this.expAvgSq = new float[ranges.size];
  }

  @Override
  public void step(float[] params, float[] grads, double lr) {
    long t = steps + 1;
    double bias1 = 1 - Math.pow(config.beta1(), t);
    double bias2 = 1 - Math.pow(config.beta2(), t);
    float stepSize = (float) (lr / bias1);
    float bias2Sqrt = (float) Math.sqrt(bias2);
    for (int r = 0; r < ranges.begin.length; r++) {
      float wd = ranges.decay[r] ? (float) config.weightDecay() : 0f;
      float shrink = decoupled ? (float) (1 - lr * wd) : 1f;
      float l2 = decoupled ? 0f : wd;
      update(params, grads, ranges.begin[r], ranges.end[r], stepSize, bias2Sqrt, shrink, l2);
    }
    steps = t;
  }

  private void update(float[] p, float[] grad, int begin, int end, float stepSize, float bias2Sqrt,
      float shrink, float l2) {
    float b2 = (float) config.beta2();
    float w1 = (float) (1 - config.beta1());
    float w2 = (float) (1 - config.beta2());
    float eps = (float) config.eps();
    float[] m = expAvg, v = expAvgSq;
    for (int i = begin; i < end; i++) {
      float pi = p[i] * shrink;
      float g = grad[i] + l2 * pi;
      float mi = m[i] + w1 * (g - m[i]);
      float vi = b2 * v[i] + w2 * g * g;
      m[i] = mi;
      v[i] = vi;
      float denom = (float) Math.sqrt(vi) / bias2Sqrt + eps;
      p[i] = pi - stepSize * (mi / denom);
    }
  }

  @Override
  public long steps() {
    return steps;
  }

  @Override
  public Map<String, float[]> exportState() {
    Map<String, float[]> s = new LinkedHashMap<>();
    s.put("step", ParamRanges.stepState(steps));
    s.put("exp_avg", expAvg.clone());
    s.put("exp_avg_sq", expAvgSq.clone());
    return s;
  }

  @Override
  public void importState(Map<String, float[]> state) {
    long restored = ParamRanges.readSteps(state);
    ParamRanges.restore(state, "exp_avg", expAvg);
    ParamRanges.restore(state, "exp_avg_sq", expAvgSq);
    steps = restored;
  }
}
