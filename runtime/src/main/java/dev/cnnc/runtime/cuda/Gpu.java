// What the CUDA entry point needs of a real GPU beyond Device: its architecture, run-time
// compilation and module loading. Only JavaCppDevice implements it, and only Cuda reaches it.
package dev.cnnc.runtime.cuda;

interface Gpu extends Device {
  /** "sm_90" for compute capability 9.0. */
  String arch();

  /** Compiles a translation unit with NVRTC to a cubin for {@link #arch()}; the compile log on failure. */
  byte[] compileWithNvrtc(String source, String fileName);

  /** Loads a cubin; {@link #kernel} then finds its kernels. */
  void loadModule(byte[] cubin, String what);
}
