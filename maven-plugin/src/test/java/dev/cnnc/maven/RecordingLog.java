// A Maven log that keeps what a goal printed, for tests to read.
package dev.cnnc.maven;

import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.logging.Log;

final class RecordingLog implements Log {
  final List<String> lines = new ArrayList<>();

  String text() {
    return String.join("\n", lines);
  }

  private void add(String level, CharSequence message) {
    lines.add("[" + level + "] " + message);
  }

  @Override public boolean isDebugEnabled() { return true; }
  @Override public void debug(CharSequence m) { add("DEBUG", m); }
  @Override public void debug(CharSequence m, Throwable e) { add("DEBUG", m); }
  @Override public void debug(Throwable e) { add("DEBUG", e.toString()); }
  @Override public boolean isInfoEnabled() { return true; }
  @Override public void info(CharSequence m) { add("INFO", m); }
  @Override public void info(CharSequence m, Throwable e) { add("INFO", m); }
  @Override public void info(Throwable e) { add("INFO", e.toString()); }
  @Override public boolean isWarnEnabled() { return true; }
  @Override public void warn(CharSequence m) { add("WARNING", m); }
  @Override public void warn(CharSequence m, Throwable e) { add("WARNING", m); }
  @Override public void warn(Throwable e) { add("WARNING", e.toString()); }
  @Override public boolean isErrorEnabled() { return true; }
  @Override public void error(CharSequence m) { add("ERROR", m); }
  @Override public void error(CharSequence m, Throwable e) { add("ERROR", m); }
  @Override public void error(Throwable e) { add("ERROR", e.toString()); }
}
