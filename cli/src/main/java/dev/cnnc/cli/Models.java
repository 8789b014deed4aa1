// Builds the runnable network for a checked spec on the chosen backend, refusing batches that
// cannot fit in memory before allocating them.
package dev.cnnc.cli;

import dev.cnnc.compiler.Pipeline;
import dev.cnnc.compiler.emit.CudaBackend;
import dev.cnnc.compiler.emit.JavaBackend;
import dev.cnnc.compiler.emit.JavaEmitter;
import dev.cnnc.compiler.reference.ReferenceModel;
import dev.cnnc.runtime.CnncException;
import dev.cnnc.runtime.Model;
import dev.cnnc.runtime.cpu.CpuNetwork;
import dev.cnnc.runtime.cuda.Cuda;
import dev.cnnc.runtime.io.SafeTensors;
import dev.cnnc.runtime.train.Checkpoint;
import java.nio.file.Path;

final class Models {
  /** Where a network runs: generated Java, generated CUDA on GPU 0, or the slow double-precision reference interpreter. */
  enum Backend { java, cuda, reference }

  /** Heap we leave for the data set, the loader's batches and the JVM itself. */
  private static final double HEAP_SHARE = 0.85;

  private Models() {}

  /**
   * The network of {@code spec}, initialised from {@code seed}, for batches of up to {@code maxBatch}
   * images. Java classes are compiled once and cached under {@code host}'s cache folder.
   */
  static Model build(Backend backend, Specs.Checked spec, int maxBatch, int threads, long seed, Host host) {
    try {
      return switch (backend) {
        case java -> {
          Pipeline.Compiled compiled = Pipeline.run(spec.graph());
          JavaEmitter.Output code = JavaEmitter.emit(compiled, spec.source());
          checkMemory(compiled, code.memory(), spec.graph().totalParams(), maxBatch, threads);
          CpuNetwork net = new JavaBackend(host.cacheDir().resolve("classes")).load(code, maxBatch, threads);
          net.initialize(seed);
          yield net;
        }
        case cuda -> {
          // Throws CudaUnavailableException (a CnncException: one clean line, exit 1) where no GPU
          // or driver is present, before any JavaCPP class is loaded.
          var net = CudaBackend.load(Pipeline.run(spec.graph()), spec.source(), maxBatch, cudaOptions(host));
          net.initialize(seed);
          yield net;
        }
        case reference -> {
          ReferenceModel net = new ReferenceModel(spec.graph(), maxBatch);
          net.initialize(seed);
          yield net;
        }
      };
    } catch (OutOfMemoryError e) {
      throw outOfMemory(spec.graph().name(), maxBatch);
    }
  }

  /**
   * The CUDA backend's defaults, its decisions shown on the progress stream: which GPU, the cubin
   * cached or being compiled (nvcc or NVRTC can take a while), and matrix products off cuBLAS.
   */
  static Cuda.Options cudaOptions(Host host) {
    return Cuda.Options.defaults().withLog(line -> {
      host.progress().println("cuda: " + line);
      host.progress().flush();
    });
  }

  /**
   * Loads a weights file into {@code model}. Its errors name every missing, extra or misshapen
   * tensor; when the file says it belongs to another network, that is added as the likely cause.
   */
  static void loadWeights(Path weights, Model model) {
    try {
      Checkpoint.loadWeights(weights, model);
    } catch (CnncException e) {
      String owner = null;
      try {
        owner = SafeTensors.read(weights).metadata().get("network");
      } catch (CnncException unreadable) {
        // the first message already says why
      }
      if (owner == null || owner.equals(model.name())) throw e;
      throw new CnncException(e.getMessage() + " The file holds weights of the network " + owner
          + ": pass the spec it was trained with.", e);
    }
  }

  /**
   * Activation and gradient buffers take maxBatch × (floats per image) each, as do the kernels'
   * per-image arrays (argmax indices, small-map convs' columns); parameters are held about 4 times
   * (values, gradients, optimizer state), plus the per-chunk gradient partials and each thread's
   * scratch.
   */
  private static void checkMemory(Pipeline.Compiled compiled, JavaEmitter.Memory memory, long params, int maxBatch,
      int threads) {
    long largest = compiled.plan().sizes().stream().mapToLong(Long::longValue).max().orElse(0);
    String name = compiled.source().name();
    if (largest * maxBatch > Integer.MAX_VALUE - 8) {
      throw new Main.UserError(Main.FAILED, String.format("batch %d is too large for %s: one of its buffers"
          + " would hold %,d floats, more than a Java array can (2^31). Use --batch %d or less.",
          maxBatch, name, largest * maxBatch, (Integer.MAX_VALUE - 8) / largest));
    }
    long bytes = 4 * (maxBatch * (compiled.plan().totalPerImage() + memory.perImage()) + params * 4 + memory.fixed()
        + threads * memory.perThread()) + CpuNetwork.partialsBytes(memory.partialReach(), threads);
    long free = available();
    if (bytes > free) throw outOfMemory(name, maxBatch, bytes, free);
  }

  private static long available() {
    Runtime rt = Runtime.getRuntime();
    return (long) ((rt.maxMemory() - (rt.totalMemory() - rt.freeMemory())) * HEAP_SHARE);
  }

  /** The message for a batch that ran out of memory with no estimate. */
  static Main.UserError outOfMemory(String network, int batch) {
    return outOfMemory(network, batch, -1, -1);
  }

  /**
   * The message for a batch that does not fit: {@code bytes} is the estimate and {@code free} what
   * it was compared with (see available()), both −1 when unknown.
   */
  private static Main.UserError outOfMemory(String network, int batch, long bytes, long free) {
    double gib = 1L << 30;
    long max = Runtime.getRuntime().maxMemory();
    // the estimate was compared with the share of the heap left free, so that is the figure to
    // give: "needs 5.7 GiB, but Java may use 5.9" read as if it should have fitted
    String what = bytes < 0 ? String.format("ran out of memory (Java may use %.1f GiB here)", max / gib)
        : String.format("needs about %.1f GiB of memory, but only about %.1f GiB of the %.1f GiB Java may use"
            + " here is free for it", bytes / gib, free / gib, max / gib);
    long suggest = (long) Math.ceil(Math.max(bytes, 2 * max) * 1.25 / gib);
    return new Main.UserError(Main.FAILED, String.format("%s with batch %d %s. Use a smaller --batch, or give"
        + " Java more memory, e.g. CNNC_JAVA_OPTS=-Xmx%dg ./cnnc …", network, batch, what, suggest));
  }
}
