// Writes tiny CIFAR-10 directories in the official binary layout, with pixels that encode where they came from.
package dev.cnnc.runtime.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

public final class FakeCifar {
  public static final List<String> NAMES = List.of(
      "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

  private FakeCifar() {}

  /** Every .bin file gets {@code records} records; record r of file f has label (f + r) % 10. */
  public static Path write(Path dir, int records) throws IOException {
    Files.createDirectories(dir);
    for (int f = 0; f < 6; f++) {
      Files.write(dir.resolve(Cifar10.FILES.get(f)), records(f, records));
    }
    Files.writeString(dir.resolve(Cifar10.META_FILE), String.join("\n", NAMES) + "\n\n",
        StandardCharsets.UTF_8);
    return dir;
  }

  /** The bytes of one fake file: label (file + r) % 10, pixel p = (file * 31 + r * 7 + p) % 256. */
  public static byte[] records(int file, int records) {
    byte[] b = new byte[records * Cifar10.RECORD_BYTES];
    for (int r = 0; r < records; r++) {
      int at = r * Cifar10.RECORD_BYTES;
      b[at] = (byte) ((file + r) % 10);
      for (int p = 0; p < Dataset.IMAGE_SIZE; p++) b[at + 1 + p] = (byte) pixel(file, r, p);
    }
    return b;
  }

  public static int pixel(int file, int record, int p) {
    return (file * 31 + record * 7 + p) % 256;
  }
}
