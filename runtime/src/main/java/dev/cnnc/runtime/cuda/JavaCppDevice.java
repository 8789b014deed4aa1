// A GPU through JavaCPP's CUDA presets: the driver API for memory, modules and launches, cuBLAS
// for products, NVRTC when no nvcc is installed. The only class of cnnc that names a JavaCPP type.
package dev.cnnc.runtime.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;
import static org.bytedeco.cuda.global.cublas.CUBLAS_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cublas.cublasGetStatusString;
import static org.bytedeco.cuda.global.cublas.cublasSetStream_v2;
import static org.bytedeco.cuda.global.cublas.cublasSgemm_v2;
import static org.bytedeco.cuda.global.cudart.CUDA_SUCCESS;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;
import static org.bytedeco.cuda.global.cudart.CU_EVENT_DISABLE_TIMING;
import static org.bytedeco.cuda.global.cudart.CU_STREAM_NON_BLOCKING;
import static org.bytedeco.cuda.global.cudart.cuCtxSetCurrent;
import static org.bytedeco.cuda.global.cudart.cuDeviceGet;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetAttribute;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetCount;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetName;
import static org.bytedeco.cuda.global.cudart.cuDevicePrimaryCtxRelease;
import static org.bytedeco.cuda.global.cudart.cuDevicePrimaryCtxRetain;
import static org.bytedeco.cuda.global.cudart.cuDeviceTotalMem;
import static org.bytedeco.cuda.global.cudart.cuDriverGetVersion;
import static org.bytedeco.cuda.global.cudart.cuEventCreate;
import static org.bytedeco.cuda.global.cudart.cuEventDestroy;
import static org.bytedeco.cuda.global.cudart.cuEventRecord;
import static org.bytedeco.cuda.global.cudart.cuEventSynchronize;
import static org.bytedeco.cuda.global.cudart.cuGetErrorName;
import static org.bytedeco.cuda.global.cudart.cuGetErrorString;
import static org.bytedeco.cuda.global.cudart.cuInit;
import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cuMemAlloc;
import static org.bytedeco.cuda.global.cudart.cuMemFree;
import static org.bytedeco.cuda.global.cudart.cuMemFreeHost;
import static org.bytedeco.cuda.global.cudart.cuMemHostAlloc;
import static org.bytedeco.cuda.global.cudart.cuMemcpyDtoHAsync;
import static org.bytedeco.cuda.global.cudart.cuMemcpyHtoDAsync;
import static org.bytedeco.cuda.global.cudart.cuMemsetD32Async;
import static org.bytedeco.cuda.global.cudart.cuMemsetD8Async;
import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;
import static org.bytedeco.cuda.global.cudart.cuModuleUnload;
import static org.bytedeco.cuda.global.cudart.cuStreamCreate;
import static org.bytedeco.cuda.global.cudart.cuStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cuStreamSynchronize;
import static org.bytedeco.cuda.global.nvrtc.NVRTC_SUCCESS;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCompileProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCreateProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcDestroyProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetCUBIN;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetCUBINSize;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetErrorString;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLog;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLogSize;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.cnnc.runtime.CnncException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * One stream carries everything. Uploads go through two pinned staging buffers used in turn, so
 * the copy of a batch overlaps with the kernels still running; before a staging buffer is
 * refilled, the copy that last read it must have finished. With {@code -Dcnnc.cuda.sync=true}
 * every launch is followed by a synchronisation, so a failing kernel is named.
 */
final class JavaCppDevice implements Gpu {
  private static final int MAX_ARGS = 64;

  private final int device;
  private final CUctx_st context = new CUctx_st();
  private final CUstream_st stream = new CUstream_st();
  /** cuBLAS's handle, or null where {@link #blasProblem} says why there is none. */
  private final cublasContext blas;
  private final String blasProblem;
  private final String description;
  private final String arch;
  private final boolean syncEachLaunch = Boolean.getBoolean("cnnc.cuda.sync");
  private final ThreadLocal<Boolean> bound = ThreadLocal.withInitial(() -> false);
  private final List<Long> allocations = new ArrayList<>();
  private final Staging[] staging = {new Staging(), new Staging()};
  private final Staging download = new Staging();
  private int nextStaging;
  private CUmod_st module;
  private final List<CUfunc_st> functions = new ArrayList<>();
  private final List<String> functionNames = new ArrayList<>();
  private final Map<String, Integer> byName = new HashMap<>();
  // Kernel arguments: one 8-byte slot per parameter, and the array of slot addresses cuLaunchKernel reads.
  private final LongPointer slots = new LongPointer(MAX_ARGS);
  private final LongPointer slotAddresses = new LongPointer(MAX_ARGS);
  // The same array typed for cuLaunchKernel's PointerPointer overload, which passes its address as
  // void**. The Pointer overload is @ByPtrPtr: it would pass the address of a copy of the pointer,
  // and a null 'extra' would become a non-null pointer to null, which the driver refuses with
  // CUDA_ERROR_INVALID_VALUE (kernelParams and extra both set) — as the first device run showed.
  private final PointerPointer<Pointer> kernelParams = new PointerPointer<>(slotAddresses);
  private final FloatPointer alpha = new FloatPointer(1);
  private final FloatPointer beta = new FloatPointer(1);
  private final DeviceFloats a = new DeviceFloats();
  private final DeviceFloats b = new DeviceFloats();
  private final DeviceFloats c = new DeviceFloats();
  private boolean closed;

  /** A host buffer the GPU can copy from asynchronously, and the event marking its last copy's end. */
  private static final class Staging {
    Pointer host;
    long bytes;
    CUevent_st done;
    boolean pending;
  }

  /** A FloatPointer whose address is a device address, for cuBLAS's arguments. */
  private static final class DeviceFloats extends FloatPointer {
    DeviceFloats at(long address) {
      this.address = address;
      return this;
    }
  }

  JavaCppDevice(int ordinal) {
    try {
      Loader.load(org.bytedeco.cuda.global.cudart.class);
    } catch (LinkageError e) {
      throw JavaCppErrors.unavailable("the CUDA libraries", e);
    }
    // cuBLAS is optional: without it the products run on the module's generated kernel (CudaModel)
    String noBlas = null;
    try {
      Loader.load(org.bytedeco.cuda.global.cublas.class);
    } catch (LinkageError e) {
      noBlas = JavaCppErrors.unavailable("cuBLAS", e).getMessage();
    }
    int init = cuInit(0);
    if (init != CUDA_SUCCESS) {
      throw new CudaUnavailableException("The NVIDIA driver is installed but reports no usable GPU: cuInit failed with "
          + errorName(init) + " (" + errorString(init) + "). Use --backend java on a machine without a GPU.");
    }
    int[] count = {0};
    check(cuDeviceGetCount(count), "cuDeviceGetCount");
    if (count[0] <= ordinal) {
      throw new CudaUnavailableException("No CUDA device " + ordinal + ": the driver sees " + count[0] + " GPU(s).");
    }
    int[] dev = {0};
    check(cuDeviceGet(dev, ordinal), "cuDeviceGet");
    this.device = dev[0];
    check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
    bind();
    check(cuStreamCreate(stream, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
    cublasContext handle = null;
    if (noBlas == null) {
      handle = new cublasContext();
      int created = cublasCreate_v2(handle);
      if (created != CUBLAS_STATUS_SUCCESS) {
        noBlas = "cublasCreate failed: " + cublasGetStatusString(created).getString();
        handle = null;
      } else {
        checkBlas(cublasSetStream_v2(handle, stream), "cublasSetStream");
      }
    }
    this.blas = handle;
    this.blasProblem = noBlas;
    int major = attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
    int minor = attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    this.arch = "sm_" + major + minor;
    byte[] name = new byte[256];
    check(cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
    SizeTPointer total = new SizeTPointer(1);
    check(cuDeviceTotalMem(total, device), "cuDeviceTotalMem");
    int[] driver = {0};
    check(cuDriverGetVersion(driver), "cuDriverGetVersion");
    this.description = String.format("%s, %s, %d SMs, %.0f GiB, driver CUDA %d.%d", cString(name), arch,
        attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), total.get() / (double) (1L << 30), driver[0] / 1000,
        driver[0] % 1000 / 10);
    for (int i = 0; i < MAX_ARGS; i++) slotAddresses.put(i, slots.address() + 8L * i);
  }

  private int attribute(int which) {
    int[] v = {0};
    check(cuDeviceGetAttribute(v, which, device), "cuDeviceGetAttribute");
    return v[0];
  }

  /** Makes the context current on the calling thread (the training loop may hop threads). */
  private void bind() {
    if (closed) throw new IllegalStateException("the GPU has been closed");
    if (!bound.get()) {
      check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
      bound.set(true);
    }
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public String arch() {
    return arch;
  }

  // ---- modules ----

  @Override
  public byte[] compileWithNvrtc(String source, String fileName) {
    try {
      Loader.load(org.bytedeco.cuda.global.nvrtc.class);
    } catch (LinkageError e) {
      throw JavaCppErrors.unavailable("NVRTC, the run-time compiler (and nvcc is not installed either)", e);
    }
    _nvrtcProgram program = new _nvrtcProgram();
    int r = nvrtcCreateProgram(program, new BytePointer(source, UTF_8), new BytePointer(fileName, UTF_8), 0,
        (PointerPointer) null, (PointerPointer) null);
    if (r != NVRTC_SUCCESS) throw new CnncException("nvrtcCreateProgram failed: " + nvrtcGetErrorString(r).getString());
    try {
      String[] options = {"--gpu-architecture=" + arch, "--std=c++17", "-lineinfo"};
      int compiled = nvrtcCompileProgram(program, options.length, new PointerPointer(options));
      SizeTPointer size = new SizeTPointer(1);
      nvrtcGetProgramLogSize(program, size);
      BytePointer log = new BytePointer(Math.max(1, size.get()));
      nvrtcGetProgramLog(program, log);
      if (compiled != NVRTC_SUCCESS) {
        throw new CnncException("NVRTC could not compile the generated " + fileName + " for " + arch + " ("
            + nvrtcGetErrorString(compiled).getString() + "); this is a cnnc bug. Its log:\n" + log.getString().strip());
      }
      nvrtcGetCUBINSize(program, size);
      BytePointer cubin = new BytePointer(size.get());
      r = nvrtcGetCUBIN(program, cubin);
      if (r != NVRTC_SUCCESS) throw new CnncException("nvrtcGetCUBIN failed: " + nvrtcGetErrorString(r).getString());
      byte[] out = new byte[(int) size.get()];
      cubin.get(out);
      return out;
    } finally {
      nvrtcDestroyProgram(program);
    }
  }

  @Override
  public void loadModule(byte[] cubin, String what) {
    bind();
    if (module != null) throw new IllegalStateException("a module is already loaded");
    CUmod_st m = new CUmod_st();
    int r = cuModuleLoadData(m, new BytePointer(cubin));
    if (r != CUDA_SUCCESS) {
      throw new CnncException("The GPU (" + description + ") refused the cubin of " + what + ": " + errorName(r) + " ("
          + errorString(r) + "). A cubin built for another GPU, or a cache left by another CUDA version, does this;"
          + " delete the cubin cache (" + CudaCompiler.defaultCache() + ") to rebuild it.");
    }
    module = m;
  }

  @Override
  public int kernel(String name) {
    Integer known = byName.get(name);
    if (known != null) return known;
    bind();
    CUfunc_st f = new CUfunc_st();
    check(cuModuleGetFunction(f, module, name), "cuModuleGetFunction(" + name + ")");
    functions.add(f);
    functionNames.add(name);
    byName.put(name, functions.size() - 1);
    return functions.size() - 1;
  }

  // ---- memory ----

  @Override
  public long allocate(long bytes) {
    bind();
    long[] p = {0};
    int r = cuMemAlloc(p, bytes);
    if (r != CUDA_SUCCESS) {
      throw new CnncException("The GPU could not allocate " + bytes + " bytes (" + errorName(r) + "); use a smaller --batch.");
    }
    allocations.add(p[0]);
    check(cuMemsetD8Async(p[0], (byte) 0, bytes, stream), "cuMemsetD8Async");
    return p[0];
  }

  @Override
  public void upload(long dst, float[] src, int from, int count) {
    if (count == 0) return;
    Staging s = stage(4L * count);
    new FloatPointer(s.host).put(src, from, count);
    copyIn(dst, s, 4L * count);
  }

  @Override
  public void upload(long dst, int[] src, int from, int count) {
    if (count == 0) return;
    Staging s = stage(4L * count);
    new IntPointer(s.host).put(src, from, count);
    copyIn(dst, s, 4L * count);
  }

  /** The next staging buffer, at least {@code bytes} long, once the copy that last read it is done. */
  private Staging stage(long bytes) {
    bind();
    Staging s = staging[nextStaging];
    nextStaging = 1 - nextStaging;
    if (s.pending) {
      check(cuEventSynchronize(s.done), "cuEventSynchronize");
      s.pending = false;
    }
    grow(s, bytes);
    if (s.done == null) {
      s.done = new CUevent_st();
      check(cuEventCreate(s.done, CU_EVENT_DISABLE_TIMING), "cuEventCreate");
    }
    return s;
  }

  private void grow(Staging s, long bytes) {
    if (s.bytes >= bytes) return;
    if (s.host != null) check(cuMemFreeHost(s.host), "cuMemFreeHost");
    long size = Math.max(bytes, 1 << 20);
    Pointer p = new Pointer();
    check(cuMemHostAlloc(p, size, 0), "cuMemHostAlloc");
    s.host = p;
    s.bytes = size;
  }

  private void copyIn(long dst, Staging s, long bytes) {
    check(cuMemcpyHtoDAsync(dst, s.host, bytes, stream), "cuMemcpyHtoDAsync");
    check(cuEventRecord(s.done, stream), "cuEventRecord");
    s.pending = true;
  }

  @Override
  public void download(long src, float[] dst, int from, int count) {
    if (count == 0) return;
    copyOut(src, 4L * count);
    new FloatPointer(download.host).get(dst, from, count);
  }

  @Override
  public void download(long src, double[] dst, int from, int count) {
    if (count == 0) return;
    copyOut(src, 8L * count);
    new DoublePointer(download.host).get(dst, from, count);
  }

  private void copyOut(long src, long bytes) {
    bind();
    grow(download, bytes);
    check(cuMemcpyDtoHAsync(download.host, src, bytes, stream), "cuMemcpyDtoHAsync");
    synchronize();
  }

  @Override
  public void fill(long dst, int bits, long count) {
    bind();
    check(cuMemsetD32Async(dst, bits, count, stream), "cuMemsetD32Async");
  }

  // ---- work ----

  @Override
  public void launch(int kernel, int gridX, int gridY, int block, int sharedBytes, long[] args) {
    bind();
    if (args.length > MAX_ARGS) throw new IllegalArgumentException("more than " + MAX_ARGS + " kernel arguments");
    slots.put(args, 0, args.length);
    int r = cuLaunchKernel(functions.get(kernel), gridX, gridY, 1, block, 1, 1, sharedBytes, stream, kernelParams,
        (PointerPointer<?>) null);
    if (r != CUDA_SUCCESS) {
      throw new CnncException("Launching " + functionNames.get(kernel) + " on a " + gridX + "×" + gridY + " grid of "
          + block + " threads failed: " + errorName(r) + " (" + errorString(r) + ").");
    }
    if (syncEachLaunch) {
      int s = cuStreamSynchronize(stream);
      if (s != CUDA_SUCCESS) {
        throw new CnncException("Kernel " + functionNames.get(kernel) + " failed: " + errorName(s) + " (" + errorString(s)
            + "); this is a cnnc bug.");
      }
    }
  }

  @Override
  public String blasProblem() {
    return blasProblem;
  }

  @Override
  public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alphaValue, long aAddress, int lda,
      long bAddress, int ldb, float betaValue, long cAddress, int ldc) {
    if (blas == null) throw new IllegalStateException("no cuBLAS: " + blasProblem);
    bind();
    alpha.put(0, alphaValue);
    beta.put(0, betaValue);
    checkBlas(cublasSgemm_v2(blas, transA ? CUBLAS_OP_T : CUBLAS_OP_N, transB ? CUBLAS_OP_T : CUBLAS_OP_N, m, n, k,
        alpha, a.at(aAddress), lda, b.at(bAddress), ldb, beta, c.at(cAddress), ldc), "cublasSgemm");
  }

  @Override
  public void synchronize() {
    bind();
    int r = cuStreamSynchronize(stream);
    if (r != CUDA_SUCCESS) {
      throw new CnncException("A CUDA kernel or copy failed: " + errorName(r) + " (" + errorString(r) + "). This is a"
          + " cnnc bug; rerun with -Dcnnc.cuda.sync=true to name the kernel.");
    }
  }

  @Override
  public void close() {
    if (closed) return;
    try {
      bind();
      cuStreamSynchronize(stream);
      for (long p : allocations) cuMemFree(p);
      allocations.clear();
      for (Staging s : List.of(staging[0], staging[1], download)) {
        if (s.host != null) cuMemFreeHost(s.host);
        if (s.done != null) cuEventDestroy(s.done);
      }
      if (module != null) cuModuleUnload(module);
      if (blas != null) cublasDestroy_v2(blas);
      cuStreamDestroy(stream);
      cuDevicePrimaryCtxRelease(device);
    } finally {
      closed = true;
    }
  }

  // ---- errors ----

  private static void check(int result, String call) {
    if (result != CUDA_SUCCESS) {
      throw new CnncException(call + " failed: " + errorName(result) + " (" + errorString(result) + ")");
    }
  }

  private static void checkBlas(int status, String call) {
    if (status != CUBLAS_STATUS_SUCCESS) {
      throw new CnncException(call + " failed: " + cublasGetStatusString(status).getString());
    }
  }

  private static String errorName(int result) {
    BytePointer name = new BytePointer((Pointer) null);
    return cuGetErrorName(result, name) == CUDA_SUCCESS && !name.isNull() ? name.getString() : "CUDA error " + result;
  }

  private static String errorString(int result) {
    BytePointer text = new BytePointer((Pointer) null);
    return cuGetErrorString(result, text) == CUDA_SUCCESS && !text.isNull() ? text.getString() : "no description";
  }

  private static String cString(byte[] b) {
    int n = 0;
    while (n < b.length && b[n] != 0) n++;
    return new String(b, 0, n, UTF_8);
  }
}
