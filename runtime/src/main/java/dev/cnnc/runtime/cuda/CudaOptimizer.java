// The optimizer of a CudaModel: one generated kernel updates every parameter on the device, in the
// float arithmetic of the runtime's Sgd and Adam, with their state names for checkpoints.
package dev.cnnc.runtime.cuda;

import dev.cnnc.runtime.cuda.CudaProgram.Scalar;
import dev.cnnc.runtime.optim.Optimizer;
import dev.cnnc.runtime.optim.OptimizerConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link #step} ignores the arrays it is handed (the Trainer passes the host mirrors): the update
 * reads the gradients the last step left on the device and writes the device's parameters.
 * Hyper-parameters that depend on the step (Adam's bias corrections, SGD's first step) are
 * computed here in double and passed as scalars, exactly as the CPU optimizers compute them.
 */
final class CudaOptimizer implements Optimizer {
  private final CudaModel model;
  private final OptimizerConfig config;
  private final boolean adam;
  private final long[] state; // device arrays, each one float per parameter
  private final String[] stateNames;
  private final CudaModel.Prepared update;
  private final int size;
  private long steps;

  CudaOptimizer(CudaModel model, OptimizerConfig config) {
    this.model = model;
    this.config = config;
    this.adam = config.kind() != OptimizerConfig.Kind.SGD;
    this.size = model.program().parameterCount();
    this.stateNames = adam ? new String[] {"exp_avg", "exp_avg_sq"}
        : config.momentum() == 0 ? new String[0] : new String[] {"momentum_buffer"};
    this.state = new long[adam ? 2 : 1];
    for (int i = 0; i < stateNames.length; i++) state[i] = model.device().allocate(4L * Math.max(1, size));
    // Plain SGD never reads its momentum buffer; any valid address will do.
    if (stateNames.length == 0) state[0] = model.address(CudaProgram.Ref.of(CudaProgram.Space.PARAMS));
    this.update = model.prepare(adam ? model.program().adam() : model.program().sgd(), state);
  }

  @Override
  public void step(float[] ignoredParams, float[] ignoredGrads, double lr) {
    model.syncToDevice();
    if (adam) adamScalars(lr);
    else sgdScalars(lr);
    update.run(model, 0);
    model.parametersUpdatedOnDevice();
    steps++;
  }

  /** As {@code Sgd.step}: wd applies to tensors that decay; the momentum buffer starts at the gradient. */
  private void sgdScalars(double lr) {
    set(Scalar.LR, (float) lr);
    set(Scalar.WEIGHT_DECAY, (float) config.weightDecay());
    set(Scalar.MOMENTUM, (float) config.momentum());
    set(Scalar.DAMPENING_KEEP, (float) (1 - config.dampening()));
    model.scalar(Scalar.FIRST_STEP, steps == 0 ? 1 : 0);
    model.scalar(Scalar.NESTEROV, config.nesterov() ? 1 : 0);
  }

  /** As {@code Adam.step}: bias corrections in double, then everything in float. */
  private void adamScalars(double lr) {
    long t = steps + 1;
    double bias1 = 1 - Math.pow(config.beta1(), t);
    double bias2 = 1 - Math.pow(config.beta2(), t);
    boolean decoupled = config.kind() == OptimizerConfig.Kind.ADAMW;
    float wd = (float) config.weightDecay();
    set(Scalar.STEP_SIZE, (float) (lr / bias1));
    set(Scalar.BIAS2_SQRT, (float) Math.sqrt(bias2));
    set(Scalar.SHRINK, decoupled ? (float) (1 - lr * wd) : 1f);
    set(Scalar.L2, decoupled ? 0f : wd);
    set(Scalar.BETA2, (float) config.beta2());
    set(Scalar.ONE_MINUS_BETA1, (float) (1 - config.beta1()));
    set(Scalar.ONE_MINUS_BETA2, (float) (1 - config.beta2()));
    set(Scalar.EPS, (float) config.eps());
  }

  private void set(Scalar s, float v) {
    model.scalar(s, Float.floatToRawIntBits(v) & 0xffffffffL);
  }

  @Override
  public long steps() {
    return steps;
  }

  @Override
  public Map<String, float[]> exportState() {
    Map<String, float[]> s = new LinkedHashMap<>();
    if (steps > (1 << 24)) throw new IllegalStateException(steps + " steps cannot be saved exactly");
    s.put("step", new float[] {steps});
    for (int i = 0; i < stateNames.length; i++) {
      float[] data = new float[size];
      model.device().download(state[i], data, 0, size);
      s.put(stateNames[i], data);
    }
    return s;
  }

  @Override
  public void importState(Map<String, float[]> in) {
    float[] step = in.get("step");
    if (step == null || step.length != 1 || step[0] < 0 || step[0] != Math.rint(step[0])) {
      throw new IllegalArgumentException("optimizer state has no valid 'step'");
    }
    for (String name : stateNames) {
      float[] from = in.get(name);
      if (from == null || from.length != size) {
        throw new IllegalArgumentException("optimizer state '" + name + "' is "
            + (from == null ? "missing" : from.length + " floats") + "; expected " + size);
      }
    }
    for (int i = 0; i < stateNames.length; i++) model.device().upload(state[i], in.get(stateNames[i]), 0, size);
    steps = (long) step[0];
  }
}
