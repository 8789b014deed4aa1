// The few things the CUDA host code asks of a GPU, with its module already loaded. JavaCppDevice
// implements them with the driver API and cuBLAS; tests implement them with a CPU emulator.
package dev.cnnc.runtime.cuda;

/**
 * Work is queued in order on one stream. Device addresses are plain longs. Uploads may return
 * before the copy ends (the source array may be reused at once); downloads wait for all queued
 * work and then for the copy.
 */
public interface Device extends AutoCloseable {
  /** "NVIDIA H200, sm_90, 139 GiB": what the device is, for logs. */
  String description();

  /** A device array of {@code bytes}, filled with zeros. */
  long allocate(long bytes);

  void upload(long dst, float[] src, int from, int count);

  void upload(long dst, int[] src, int from, int count);

  void download(long src, float[] dst, int from, int count);

  void download(long src, double[] dst, int from, int count);

  /** Sets {@code count} 32-bit words at {@code dst} to {@code bits}. */
  void fill(long dst, int bits, long count);

  /** The handle of a kernel of the loaded module, by name. */
  int kernel(String name);

  /**
   * Queues a launch of a (gridX × gridY) grid of 1-D blocks.
   *
   * @param args one 64-bit slot per kernel parameter: an address, or a scalar in the slot's low bytes
   */
  void launch(int kernel, int gridX, int gridY, int block, int sharedBytes, long[] args);

  /**
   * Why cuBLAS cannot be used on this machine (its library is missing, or would not start), or null
   * when {@link #sgemm} works. Without it, {@link CudaModel} runs the products on the module's own
   * {@value CudaProgram#GEMM_KERNEL} kernel.
   */
  default String blasProblem() {
    return null;
  }

  /** cuBLAS sgemm on the stream: column-major C = alpha · op(A) · op(B) + beta · C. */
  void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
      float beta, long c, int ldc);

  /** Waits for all queued work; throws if any of it failed. */
  void synchronize();

  /** Frees every allocation and the module. */
  @Override
  void close();
}
