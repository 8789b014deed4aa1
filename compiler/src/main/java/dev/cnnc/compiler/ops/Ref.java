// What an op's reference implementation reads and writes: plain double arrays, one per tensor,
// (N, ...) row-major. Gradients accumulate with +=.
package dev.cnnc.compiler.ops;

public interface Ref {
  /** Images in the batch. */
  int n();

  boolean training();

  /** Seeds dropout; with {@link #stream()} it names this node's random numbers. */
  long seed();

  /** This node's random stream: the hash of its name, the same on every backend. */
  int stream();

  /** Input i, (N, input size). */
  double[] x(int i);

  /** Output, (N, output size). */
  double[] y();

  /** d loss / d output. */
  double[] dy();

  /** d loss / d input i; accumulate into it. */
  double[] dx(int i);

  /** A parameter by suffix ("weight"), in PyTorch layout. */
  double[] param(String suffix);

  /** The gradient of a parameter; accumulate into it. */
  double[] grad(String suffix);

  /** A buffer ("running_mean"); training forwards update it. */
  double[] buffer(String suffix);

  /** Per-node scratch that survives from forward to backward (e.g. batch statistics). */
  double[] saved(String what, int size);
}
