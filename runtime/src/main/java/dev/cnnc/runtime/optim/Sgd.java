// Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay, as torch.optim.SGD.
package dev.cnnc.runtime.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torch.optim.SGD, per element: g = grad + wd·p; b = g on the first step, else
 * momentum·b + (1 − dampening)·g; g = g + momentum·b (Nesterov) or b; p = p − lr·g.
 * Arithmetic is in float, like PyTorch on float32 tensors.
 */
public final class Sgd implements Optimizer {
  private final OptimizerConfig config;
  private final ParamRanges ranges;
  private final float[] momentumBuffer; // same layout as the parameters; empty without momentum
  private long steps;

  Sgd(OptimizerConfig config, ParamRanges ranges) {
    this.config = config;
    this.ranges = ranges;
    this.momentumBuffer = new float[config.momentum() == 0 ? 0 : ranges.size];
  }

  @Override
  public void step(float[] params, float[] grads, double lr) {
    for (int r = 0; r < ranges.begin.length; r++) {
      float wd = ranges.decay[r] ? (float) config.weightDecay() : 0f;
      if (momentumBuffer.length == 0) {
        plain(params, grads, ranges.begin[r], ranges.end[r], (float) lr, wd);
      } else {
        withMomentum(params, grads, ranges.begin[r], ranges.end[r], (float) lr, wd);
      }
    }
    steps++;
  }

  private static void plain(float[] p, float[] grad, int begin, int end, float lr, float wd) {
    for (int i = begin; i < end; i++) p[i] -= lr * (grad[i] + wd * p[i]);
  }

  private void withMomentum(float[] p, float[] grad, int begin, int end, float lr, float wd) {
    float m = (float) config.momentum();
    float keep = (float) (1 - config.dampening());
    boolean first = steps == 0;
    boolean nesterov = config.nesterov();
    float[] buf = momentumBuffer;
    for (int i = begin; i < end; i++) {
      float g = grad[i] + wd * p[i];
      float b = first ? g : m * buf[i] + keep * g;
      buf[i] = b;
      p[i] -= lr * (nesterov ? g + m * b : b);
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
    if (momentumBuffer.length > 0) s.put("momentum_buffer", momentumBuffer.clone());
    return s;
  }

  @Override
  public void importState(Map<String, float[]> state) {
    long restored = ParamRanges.readSteps(state);
    if (momentumBuffer.length > 0) ParamRanges.restore(state, "momentum_buffer", momentumBuffer);
    steps = restored;
  }
}
