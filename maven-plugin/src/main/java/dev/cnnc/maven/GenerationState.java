// What the last generate run produced from each spec, and from what input, so a build regenerates
// only the specs whose text or settings changed and removes what a deleted spec left behind.
package dev.cnnc.maven;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A text file, one line per spec: {@code fingerprint TAB spec path TAB output|output…}, outputs
 * relative to the output directory. A content hash rather than timestamps: a checkout, a copy or
 * a CI cache restore changes timestamps without changing anything that matters.
 */
final class GenerationState {
  private static final String HEADER = "# cnnc generate state v1: sha-256 of spec and settings, spec, outputs";

  /** @param outputs generated files, relative to the output directory, with '/' */
  record Entry(String fingerprint, List<String> outputs) {
    Entry {
      outputs = List.copyOf(outputs);
    }
  }

  private final Map<String, Entry> entries = new TreeMap<>();

  Entry get(String spec) {
    return entries.get(spec);
  }

  void put(String spec, Entry entry) {
    entries.put(spec, entry);
  }

  Map<String, Entry> entries() {
    return entries;
  }

  /** The state in {@code file}; a missing or unreadable one is empty, so everything is regenerated. */
  static GenerationState read(Path file) {
    GenerationState s = new GenerationState();
    if (!Files.isRegularFile(file)) return s;
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      if (lines.isEmpty() || !lines.get(0).equals(HEADER)) return new GenerationState();
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split("\t", -1);
        if (f.length != 3) return new GenerationState();
        List<String> outputs = f[2].isEmpty() ? List.of() : Arrays.asList(f[2].split("\\|"));
        s.put(f[1], new Entry(f[0], outputs));
      }
      return s;
    } catch (IOException e) {
      return new GenerationState();
    }
  }

  void write(Path file) throws IOException {
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    entries.forEach((spec, e) -> b.append(e.fingerprint()).append('\t').append(spec).append('\t')
        .append(String.join("|", e.outputs())).append('\n'));
    if (file.getParent() != null) Files.createDirectories(file.getParent());
    Files.writeString(file, b, StandardCharsets.UTF_8);
  }

  /** SHA-256 over the spec's text and every setting that changes what is generated from it. */
  static String fingerprint(String specText, String settings) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(settings.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(specText.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
