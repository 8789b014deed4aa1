// A safetensors file is truncated, inconsistent or holds something cnnc cannot read.
package dev.cnnc.runtime.io;

import dev.cnnc.runtime.CnncException;

public class SafeTensorsException extends CnncException {
  public SafeTensorsException(String message) {
    super(message);
  }

  public SafeTensorsException(String message, Throwable cause) {
    super(message, cause);
  }
}
