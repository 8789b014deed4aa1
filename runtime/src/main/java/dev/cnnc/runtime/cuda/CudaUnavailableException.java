// The CUDA backend cannot run here; the message names the missing library, driver or device.
package dev.cnnc.runtime.cuda;

import dev.cnnc.runtime.CnncException;

public final class CudaUnavailableException extends CnncException {
  public CudaUnavailableException(String message) {
    super(message);
  }

  public CudaUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
