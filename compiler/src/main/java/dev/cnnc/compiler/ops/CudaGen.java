// What the CUDA emitter tells an op's kernel code: device arrays, fusion choices, and how to add
// kernels and cuBLAS products to the step being generated.
package dev.cnnc.compiler.ops;

import dev.cnnc.compiler.ir.Node;
import dev.cnnc.runtime.cuda.CudaProgram.CType;
import dev.cnnc.runtime.cuda.CudaProgram.Count;
import dev.cnnc.runtime.cuda.CudaProgram.Ref;
import dev.cnnc.runtime.cuda.CudaProgram.Scalar;

/**
 * Kernels are added in launch order. Every kernel gets {@code int n} (images in this step) as its
 * last parameter; shapes are baked into the body as constants. Kernels never synchronise threads
 * (no __syncthreads, no shuffles): reductions are split into a partial-sum kernel and a finishing
 * kernel, so every result is deterministic and each thread's work can be replayed on a CPU.
 */
public interface CudaGen {
  /** A device array as a kernel argument: where it is and its element type. */
  record Buf(Ref ref, CType type) {
    public Buf plus(long elements) {
      return new Buf(ref.plus(elements), type);
    }
  }

  /** Input i's activations, (N, input size). */
  Buf x(int i);

  /** The output, (N, output size). */
  Buf y();

  /** d loss / d output. */
  Buf dy();

  /** d loss / d input i, or null when nothing needs it (the network input). */
  Buf dx(int i);

  /** Whether this op adds into {@link #dx} (another reader of that input also contributes) or overwrites it. */
  boolean accumulate(int i);

  /** Parameter {@code suffix} ("weight"): the parameters, or the folded copy at inference. */
  Buf param(String suffix);

  /** The gradient of parameter {@code suffix}; each is written by exactly one kernel, never accumulated. */
  Buf grad(String suffix);

  /** A buffer ("running_mean"). */
  Buf buffer(String suffix);

  /**
   * Scratch of this node that lives from its training forward to its backward: {@code size}
   * elements, times the batch when {@code perImage}, plus {@code fixed}.
   */
  Buf aux(String what, long size, boolean perImage, long fixed, CType type);

  /**
   * A transient array, valid only between consecutive kernels of this node (partial sums): every
   * node shares one per element type, sized for the largest request, so a node gets at most one
   * scratch array of each type.
   */
  Buf scratch(long size, boolean perImage, long fixed, CType type);

  Node node();

  /** The fused activation, or null. */
  default Activation epilogue() {
    return node().epilogue();
  }

  /** Whether a batch norm is folded into this node's weights (inference only). */
  default boolean folded() {
    return !training() && node().fold() != null;
  }

  boolean training();

  /** Starts a kernel named after the node and {@code role} ("forward", "backward_dw"). */
  Kernel kernel(String role, String doc);

  /** Adds a cuBLAS product: column-major C = alpha · op(A) · op(B) + beta · C. */
  void gemm(boolean transA, boolean transB, Count m, Count n, Count k, float alpha, Buf a, int lda, Buf b, int ldb,
      float beta, Buf c, int ldc, String doc);

  /** A kernel being declared: its parameters, its grid, then its body. */
  interface Kernel {
    /** A pointer the kernel only reads: {@code const T* __restrict__ name}. */
    Kernel in(String name, Buf b);

    /** A pointer the kernel writes (and may read): {@code T* __restrict__ name}. */
    Kernel out(String name, Buf b);

    /** A run-time scalar argument. */
    Kernel value(String name, Scalar s);

    /** One thread per element of {@code perImage · n + fixed}, in 1-D blocks; the body sees {@code t}. */
    Kernel threads(long perImage, long fixed);

    /**
     * A 2-D grid: {@code xThreads} threads along x (the body sees {@code t}) and {@code y} blocks
     * along y (the body sees {@code s}).
     */
    Kernel grid(long xThreads, Count y);

    /** Declares the kernel with its body. The body starts after {@code t} is computed and checked. */
    void body(CudaCode code);
  }

  /** Threads per block for every generated kernel. */
  int BLOCK = 256;
}
