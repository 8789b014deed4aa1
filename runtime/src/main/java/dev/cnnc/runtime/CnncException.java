// The base of every error the runtime reports to people: the message says what went wrong and what to do.
package dev.cnnc.runtime;

/** A failure whose message is written for the user; callers print it without a stack trace. */
public class CnncException extends RuntimeException {
  public CnncException(String message) {
    super(message);
  }

  public CnncException(String message, Throwable cause) {
    super(message, cause);
  }
}
