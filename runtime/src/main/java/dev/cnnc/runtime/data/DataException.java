// Errors about the training data: missing, truncated or foreign files, failed downloads.
package dev.cnnc.runtime.data;

import dev.cnnc.runtime.CnncException;

/** Something is wrong with the data set or getting it; the message names the file and the fix. */
public class DataException extends CnncException {
  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
