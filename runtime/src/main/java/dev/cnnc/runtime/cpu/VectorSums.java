// The Vector API half of Sums: one vector of partial sums, reduced once at the end.
package dev.cnnc.runtime.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

final class VectorSums implements Sums.Impl {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  @Override
  public float sum(float[] a, int from, int to) {
    FloatVector s = FloatVector.zero(S);
    int i = from;
    for (; i + L <= to; i += L) s = s.add(FloatVector.fromArray(S, a, i));
    float v = s.reduceLanes(VectorOperators.ADD);
    for (; i < to; i++) v += a[i];
    return v;
  }

  @Override
  public float squaredDeviations(float[] a, int from, int to, float mean) {
    FloatVector m = FloatVector.broadcast(S, mean);
    FloatVector s = FloatVector.zero(S);
    int i = from;
    for (; i + L <= to; i += L) {
      FloatVector d = FloatVector.fromArray(S, a, i).sub(m);
      s = d.fma(d, s);
    }
    float v = s.reduceLanes(VectorOperators.ADD);
    for (; i < to; i++) v += (a[i] - mean) * (a[i] - mean);
    return v;
  }

  @Override
  public void gradientSums(float[] g, float[] x, int from, int to, float mean, float[] sums, int at) {
    FloatVector m = FloatVector.broadcast(S, mean);
    FloatVector s = FloatVector.zero(S);
    FloatVector sx = FloatVector.zero(S);
    int i = from;
    for (; i + L <= to; i += L) {
      FloatVector gv = FloatVector.fromArray(S, g, i);
      s = s.add(gv);
      sx = gv.fma(FloatVector.fromArray(S, x, i).sub(m), sx);
    }
    float a = s.reduceLanes(VectorOperators.ADD);
    float b = sx.reduceLanes(VectorOperators.ADD);
    for (; i < to; i++) {
      a += g[i];
      b += g[i] * (x[i] - mean);
    }
    sums[at] = a;
    sums[at + 1] = b;
  }

  @Override
  public void reluGradientSums(float[] g, float[] y, float[] x, int from, int to, float mean, float[] sums, int at) {
    FloatVector m = FloatVector.broadcast(S, mean);
    FloatVector zero = FloatVector.zero(S);
    FloatVector s = zero;
    FloatVector sx = zero;
    int i = from;
    for (; i + L <= to; i += L) {
      VectorMask<Float> positive = FloatVector.fromArray(S, y, i).compare(VectorOperators.GT, 0f);
      FloatVector gv = zero.blend(FloatVector.fromArray(S, g, i), positive);
      gv.intoArray(g, i);
      s = s.add(gv);
      sx = gv.fma(FloatVector.fromArray(S, x, i).sub(m), sx);
    }
    float a = s.reduceLanes(VectorOperators.ADD);
    float b = sx.reduceLanes(VectorOperators.ADD);
    for (; i < to; i++) {
      if (!(y[i] > 0f)) g[i] = 0f;
      a += g[i];
      b += g[i] * (x[i] - mean);
    }
    sums[at] = a;
    sums[at + 1] = b;
  }
}
