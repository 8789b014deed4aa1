// A file could not be written (disk full, folder missing or read-only); the message names the path.
package dev.cnnc.runtime.io;

import dev.cnnc.runtime.CnncException;

public class StorageException extends CnncException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
