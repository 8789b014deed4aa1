// Turns the linker errors JavaCPP passes on (UnsatisfiedLinkError and friends) into one sentence
// that names the library that is missing and where it usually comes from.
package dev.cnnc.runtime.cuda;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class JavaCppErrors {
  private static final Pattern MISSING = Pattern.compile("(lib[\\w.+-]+\\.so[\\w.]*): cannot open shared object file");
  private static final Pattern UNDEFINED = Pattern.compile("undefined symbol: (\\w+)");

  private JavaCppErrors() {}

  /** @param what "the CUDA libraries", "NVRTC" */
  static CudaUnavailableException unavailable(String what, Throwable e) {
    String text = chain(e);
    Matcher m = MISSING.matcher(text);
    if (m.find()) {
      String lib = m.group(1);
      return new CudaUnavailableException("The CUDA backend could not load " + what + ": " + lib
          + " is not installed, or not on LD_LIBRARY_PATH. " + hint(lib), e);
    }
    Matcher u = UNDEFINED.matcher(text);
    if (u.find()) {
      return new CudaUnavailableException("The CUDA backend could not load " + what + ": the installed CUDA"
          + " libraries lack " + u.group(1) + ", so they are older than the CUDA " + CudaAvailability.CUDA_PRESETS_VERSION
          + " bindings expect. Install CUDA 13 libraries, or put newer ones first on LD_LIBRARY_PATH.", e);
    }
    return new CudaUnavailableException("The CUDA backend could not load " + what + ": " + text, e);
  }

  private static String hint(String lib) {
    if (lib.startsWith("libcuda.")) return "It comes with the NVIDIA driver; without a GPU, use --backend java.";
    if (lib.startsWith("libnvrtc")) {
      return "It comes with the CUDA 13 toolkit (or the nvidia-cuda-nvrtc wheel); or install nvcc, which cnnc uses instead.";
    }
    return "It comes with the CUDA 13 toolkit (or the nvidia-cuda-runtime and nvidia-cublas wheels);"
        + " add its lib folder to LD_LIBRARY_PATH.";
  }

  /** Every message of the cause chain, joined. */
  private static String chain(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null && b.length() < 4000; t = t.getCause()) {
      if (t.getMessage() != null) b.append(b.length() > 0 ? "; " : "").append(t.getMessage());
      if (t.getCause() == t) break;
    }
    return b.length() == 0 ? e.toString() : b.toString();
  }
}
