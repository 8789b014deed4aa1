/**
 * The CUDA backend's host side: a compiled network ({@link dev.cnnc.runtime.cuda.CudaProgram}, made
 * by the compiler's CudaEmitter) run on an NVIDIA GPU through JavaCPP.
 *
 * <ul>
 *   <li>{@link dev.cnnc.runtime.cuda.Cuda#load} checks that CUDA can run here
 *       ({@link dev.cnnc.runtime.cuda.CudaAvailability}: bindings, their JNI jar, libcuda.so.1),
 *       opens GPU 0, takes the module's cubin from the cache ({@code ~/.cache/cnnc/cubins},
 *       {@code -Dcnnc.cuda.cache}) or compiles it with nvcc, else NVRTC
 *       ({@code -Dcnnc.cuda.compiler=auto|nvcc|nvrtc}), and returns a
 *       {@link dev.cnnc.runtime.cuda.CudaModel}. Where CUDA cannot run it throws a
 *       {@link dev.cnnc.runtime.cuda.CudaUnavailableException} naming what is missing, having
 *       loaded no JavaCPP class.
 *   <li>{@link dev.cnnc.runtime.cuda.CudaModel} is a {@link dev.cnnc.runtime.Model}: parameters,
 *       gradients, running statistics, activations and scratch live in device arrays; a training
 *       step uploads the batch from pinned memory, enqueues every kernel and waits only for the
 *       loss. Its host arrays are lazily synchronised mirrors in the checkpoint layout.
 *   <li>As a {@link dev.cnnc.runtime.DeviceModel} it gives the Trainer an optimizer that runs on the
 *       GPU (SGD with momentum, dampening, Nesterov and weight decay; Adam; AdamW), bit-identical
 *       to the CPU optimizers and exporting the same state, so checkpoints and --resume work across
 *       backends. With a CPU optimizer instead, parameters go up and gradients come down every step.
 *   <li>{@link dev.cnnc.runtime.cuda.JavaCppDevice} is the only class that names a JavaCPP type;
 *       everything else talks to a {@link dev.cnnc.runtime.cuda.Device}, which the tests implement
 *       with a CPU emulator of the generated kernels.
 * </ul>
 *
 * <p>Building: the runtime depends on {@code org.bytedeco:cuda} (bindings only). The JNI jar for the
 * platform comes with the {@code cuda} Maven profile, on by itself where {@code /dev/nvidiactl}
 * exists; the driver and the CUDA 13 libraries (cudart, cuBLAS, NVRTC) are the machine's.
 */
package dev.cnnc.runtime.cuda;
