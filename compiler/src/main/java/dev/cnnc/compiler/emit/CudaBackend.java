// The CUDA backend as the command line uses it: write the generated sources, or load a network
// onto the GPU as a Model (failing with one sentence where CUDA cannot run).
package dev.cnnc.compiler.emit;

import dev.cnnc.compiler.Pipeline;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.ops.CudaGen.Convolutions;
import dev.cnnc.runtime.cuda.Cuda;
import dev.cnnc.runtime.cuda.CudaAvailability;
import dev.cnnc.runtime.cuda.CudaModel;
import dev.cnnc.runtime.io.AtomicFiles;
import java.nio.file.Path;
import java.util.List;

/**
 * {@link #load} checks that CUDA can run here before anything else: without the JavaCPP JNI jar,
 * the NVIDIA driver or a GPU it throws a {@link dev.cnnc.runtime.cuda.CudaUnavailableException}
 * (a {@link dev.cnnc.runtime.CnncException}) whose message says what is missing, and no CUDA
 * class has been loaded. The returned model starts with zero parameters: call
 * {@link CudaModel#initialize} (as for the CPU backend) or load a checkpoint. Close it to free
 * the GPU.
 */
public final class CudaBackend {
  private CudaBackend() {}

  /** Generates the network's CUDA, gets its cubin (cache, nvcc or NVRTC) and allocates it for batches up to {@code maxBatch}. */
  public static CudaModel load(Pipeline.Compiled compiled, SourceFile spec, int maxBatch) {
    return load(compiled, spec, maxBatch, Cuda.Options.defaults());
  }

  public static CudaModel load(Pipeline.Compiled compiled, SourceFile spec, int maxBatch, Cuda.Options options) {
    return load(compiled, spec, maxBatch, options, Convolutions.configured());
  }

  /** As above, with the convolutions computed as {@code convolutions} says (the device check times each way). */
  public static CudaModel load(Pipeline.Compiled compiled, SourceFile spec, int maxBatch, Cuda.Options options,
      Convolutions convolutions) {
    CudaAvailability.check();
    return Cuda.load(CudaEmitter.emit(compiled, spec, convolutions).program(), maxBatch, options);
  }

  /**
   * Writes {@code <Network>.cu} and {@code <Network>.plan.json} (the host plan: arrays and every
   * launch) into {@code dir}, atomically; returns their paths. Needs no GPU.
   */
  public static List<Path> write(Pipeline.Compiled compiled, SourceFile spec, Path dir) {
    CudaEmitter.Output out = CudaEmitter.emit(compiled, spec);
    AtomicFiles.checkWritableDir(dir);
    Path cu = dir.resolve(out.fileName());
    Path plan = dir.resolve(out.planFileName());
    AtomicFiles.writeString(cu, out.source());
    AtomicFiles.writeString(plan, out.hostPlan());
    return List.of(cu, plan);
  }
}
