// How bad a diagnostic is.
package dev.cnnc.compiler.diag;

public enum Severity {
  ERROR,
  WARNING;

  public String word() {
    return this == ERROR ? "error" : "warning";
  }
}
