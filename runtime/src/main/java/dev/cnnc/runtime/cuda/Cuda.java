// The CUDA backend's entry point: checks that CUDA can run here, opens the GPU, gets a cubin (from
// the cache, nvcc or NVRTC) and returns the network as a CudaModel.
package dev.cnnc.runtime.cuda;

import dev.cnnc.runtime.CnncException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Nothing in this class refers to a JavaCPP type: the GPU is opened by reflection, after
 * {@link CudaAvailability} has found the bindings, their JNI libraries and the driver, so a
 * machine without CUDA gets a sentence naming what is missing and never loads a CUDA class.
 */
public final class Cuda {
  /** How the cubin is obtained: the cache first, then nvcc when it is installed, else NVRTC. */
  public enum Compiler { AUTO, NVCC, NVRTC }

  /**
   * @param cache where cubins are kept (null: no cache)
   * @param compiler which compiler builds a cubin the cache lacks
   * @param log receives one line per decision (which GPU, which compiler), for --verbose output
   */
  public record Options(Path cache, Compiler compiler, Consumer<String> log) {
    /** The cache of {@link CudaCompiler#defaultCache()} and the compiler of -Dcnnc.cuda.compiler (auto, nvcc, nvrtc). */
    public static Options defaults() {
      String c = System.getProperty("cnnc.cuda.compiler", "auto").toUpperCase(Locale.ROOT);
      Compiler compiler;
      try {
        compiler = Compiler.valueOf(c);
      } catch (IllegalArgumentException e) {
        throw new CnncException("-Dcnnc.cuda.compiler must be auto, nvcc or nvrtc, not " + c.toLowerCase(Locale.ROOT));
      }
      return new Options(CudaCompiler.defaultCache(), compiler, line -> {});
    }

    public Options withLog(Consumer<String> v) {
      return new Options(cache, compiler, v);
    }

    public Options withCompiler(Compiler v) {
      return new Options(cache, v, log);
    }

    public Options withCache(Path v) {
      return new Options(v, compiler, log);
    }
  }

  private Cuda() {}

  public static CudaModel load(CudaProgram program, int maxBatch) {
    return load(program, maxBatch, Options.defaults());
  }

  /** Opens GPU 0, loads the program's module and allocates the network for batches up to {@code maxBatch}. */
  public static CudaModel load(CudaProgram program, int maxBatch, Options options) {
    Gpu gpu = open(0);
    try {
      options.log().accept("GPU: " + gpu.description());
      gpu.loadModule(cubin(gpu, program, options), program.fileName());
      CudaModel model = new CudaModel(gpu, program, maxBatch);
      if (model.generatedProducts()) {
        options.log().accept(gpu.blasProblem() != null
            ? "no cuBLAS, so the matrix products run on cnnc's own kernel (" + CudaProgram.GEMM_KERNEL + "; correct,"
                + " slower): " + gpu.blasProblem()
            : "the matrix products run on cnnc's own kernel (" + CudaProgram.GEMM_KERNEL + "), as"
                + " -Dcnnc.cuda.blas=generated asks");
      }
      return model;
    } catch (RuntimeException | Error e) {
      gpu.close();
      throw e;
    }
  }

  /** The cubin of {@code program} for this GPU: cached, or compiled now and cached. */
  private static byte[] cubin(Gpu gpu, CudaProgram program, Options o) {
    String arch = gpu.arch();
    byte[] cached = o.compiler() == Compiler.NVRTC ? null : CudaCompiler.cached(o.cache(), program.fileName(), program.source(), arch);
    if (cached != null) {
      o.log().accept("cubin: " + CudaCompiler.cubinPath(o.cache(), program.fileName(), program.source(), arch));
      return cached;
    }
    Path nvcc = o.compiler() == Compiler.NVRTC ? null : CudaCompiler.findNvcc();
    if (o.compiler() == Compiler.NVCC && nvcc == null) {
      throw new CnncException("-Dcnnc.cuda.compiler=nvcc, but nvcc is not on the PATH (nor in $CUDA_HOME/bin or /usr/local/cuda/bin).");
    }
    byte[] cubin;
    if (nvcc != null) {
      o.log().accept("compiling " + program.fileName() + " for " + arch + " with " + nvcc);
      cubin = CudaCompiler.nvcc(nvcc, program.source(), program.fileName(), arch);
    } else {
      o.log().accept("compiling " + program.fileName() + " for " + arch + " with NVRTC");
      cubin = gpu.compileWithNvrtc(program.source(), program.fileName());
    }
    CudaCompiler.store(o.cache(), program.fileName(), program.source(), arch, cubin);
    return cubin;
  }

  /** GPU {@code ordinal}, after the checks; every failure is a {@link CudaUnavailableException} or a CnncException. */
  static Gpu open(int ordinal) {
    CudaAvailability.check();
    try {
      Class<?> type = Class.forName("dev.cnnc.runtime.cuda.JavaCppDevice");
      return (Gpu) type.getDeclaredConstructor(int.class).newInstance(ordinal);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) throw r;
      if (cause instanceof LinkageError l) throw JavaCppErrors.unavailable("the CUDA libraries", l);
      throw new CnncException("Could not open the GPU: " + cause, cause);
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new CudaUnavailableException("The CUDA backend could not start: " + e, e);
    }
  }
}
