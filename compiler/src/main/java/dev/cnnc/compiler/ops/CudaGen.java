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
   * node shares one per element type and slot, sized for the largest request; this is slot 0.
   */
  default Buf scratch(long size, boolean perImage, long fixed, CType type) {
    return scratch(0, size, perImage, fixed, type);
  }

  /**
   * Scratch array number {@code slot} (0 to 3) of {@code type}: as {@link #scratch(long, boolean,
   * long, CType)}, for a node that needs several transient arrays at once.
   */
  Buf scratch(int slot, long size, boolean perImage, long fixed, CType type);

  /** How this program computes convolutions. */
  Convolutions convolutions();

  Node node();

  /** The fused activation, or null. */
  default Activation epilogue() {
    return node().epilogue();
  }

  /** The residual branch added to the output before the epilogue (a fused residual add), or null. */
  default Buf residual() {
    return node().residual() ? x(1) : null;
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

  /**
   * How a convolution runs on the GPU. DIRECT: generated kernels, one thread per output pixel and
   * a few channels (forward), per input pixel (dx), per weight row and pixel chunk (dw). GEMM: the
   * input's patches copied into rows (im2row), the three products on cuBLAS, and small kernels
   * around them for bias, activation and the layout. AUTO: GEMM where a patch has at least
   * {@link #GEMM_MIN_PATCH} values, DIRECT for the RGB first layers (27 multiply-adds per output,
   * which may not pay for the patch copy). Neither way has been timed on a GPU yet: the device
   * check (bench/gpu) times all three, and AUTO's threshold is a guess until it has.
   */
  enum Convolutions {
    DIRECT, GEMM, AUTO;

    public static final String PROPERTY = "cnnc.cuda.conv";
    public static final int GEMM_MIN_PATCH = 64;

    /** {@code -Dcnnc.cuda.conv=direct|gemm|auto}; AUTO when unset. */
    public static Convolutions configured() {
      String v = System.getProperty(PROPERTY, "auto");
      for (Convolutions c : values()) if (c.name().equalsIgnoreCase(v.strip())) return c;
      throw new dev.cnnc.runtime.CnncException("-D" + PROPERTY + "=" + v + " is not a convolution algorithm: use direct,"
          + " gemm or auto");
    }

    /** Whether a convolution whose patches hold {@code patch} values (in channels · kh · kw) uses cuBLAS. */
    public boolean gemm(int patch) {
      return this == GEMM || (this == AUTO && patch >= GEMM_MIN_PATCH);
    }
  }

  /** Threads per block for every generated kernel. */
  int BLOCK = 256;
}
