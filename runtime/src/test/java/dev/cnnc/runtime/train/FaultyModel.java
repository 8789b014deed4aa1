// Wraps a Model to fail on purpose at a given training step: a NaN loss, or a crash like a killed process.
package dev.cnnc.runtime.train;

import dev.cnnc.runtime.Model;
import dev.cnnc.runtime.StepResult;
import dev.cnnc.runtime.TensorSpec;
import java.util.List;

class FaultyModel implements Model {
  enum Fault { NAN, CRASH }

  final Model inner;
  final long failAt; // 0-based count of trainStep calls
  final Fault fault;
  long calls;

  FaultyModel(Model inner, long failAt, Fault fault) {
    this.inner = inner;
    this.failAt = failAt;
    this.fault = fault;
  }

  @Override
  public StepResult trainStep(float[] x, int[] labels, int n, float labelSmoothing, long seed) {
    StepResult r = inner.trainStep(x, labels, n, labelSmoothing, seed);
    if (calls++ != failAt) return r;
    if (fault == Fault.CRASH) throw new IllegalStateException("simulated crash");
    return new StepResult(Double.NaN, r.correct());
  }

  @Override public String name() { return inner.name(); }
  @Override public int[] inputShape() { return inner.inputShape(); }
  @Override public int classes() { return inner.classes(); }
  @Override public int maxBatch() { return inner.maxBatch(); }
  @Override public List<TensorSpec> parameters() { return inner.parameters(); }
  @Override public List<TensorSpec> buffers() { return inner.buffers(); }
  @Override public float[] parameterData() { return inner.parameterData(); }
  @Override public float[] gradientData() { return inner.gradientData(); }
  @Override public float[] bufferData() { return inner.bufferData(); }
  @Override public void infer(float[] x, int n, float[] logits) { inner.infer(x, n, logits); }
}
