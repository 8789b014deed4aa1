// Reads CIFAR-10 in its official binary layout (cifar-10-batches-bin/), checking every file it touches.
package dev.cnnc.runtime.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CIFAR-10 binary files: each record is one label byte (0..9) then 1,024 red, 1,024 green
 * and 1,024 blue bytes, each plane 32×32 row-major. Loading with a limit reads only the first
 * {@code limit} records, in file order, and never more of the files than that.
 */
public final class Cifar10 {
  public static final int RECORD_BYTES = 1 + Dataset.IMAGE_SIZE;
  public static final int CLASSES = 10;
  public static final List<String> TRAIN_FILES = List.of(
      "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
      "data_batch_5.bin");
  public static final String TEST_FILE = "test_batch.bin";
  public static final String META_FILE = "batches.meta.txt";
  /** Every file a complete cifar-10-batches-bin/ holds. */
  public static final List<String> FILES = List.of(
      "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
      "data_batch_5.bin", TEST_FILE, META_FILE);

  /** Records read per chunk: large enough for sequential reads, small enough not to matter. */
  private static final int CHUNK_RECORDS = 256;

  private Cifar10() {}

  /** The first {@code limit} training images (all 50,000 when limit ≤ 0). */
  public static Dataset loadTrain(Path dir, int limit) {
    return load(dir, TRAIN_FILES, limit);
  }

  /** The first {@code limit} test images (all 10,000 when limit ≤ 0). */
  public static Dataset loadTest(Path dir, int limit) {
    return load(dir, List.of(TEST_FILE), limit);
  }

  /** The files of {@link #FILES} that {@code dir} lacks, in that order; empty when complete. */
  public static List<String> missingFiles(Path dir) {
    List<String> missing = new ArrayList<>();
    for (String f : FILES) {
      if (!Files.isRegularFile(dir.resolve(f))) missing.add(f);
    }
    return missing;
  }

  /** Checks that every file is present and every data file holds whole records. */
  public static void checkLayout(Path dir) {
    checkPresent(dir);
    for (String f : FILES) {
      if (f.endsWith(".bin")) recordCount(dir, f);
    }
  }

  /** The class names of batches.meta.txt, one a line, in label order. */
  public static List<String> classNames(Path dir) {
    Path meta = dir.resolve(META_FILE);
    List<String> names = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(meta, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) names.add(line.strip());
      }
    } catch (IOException e) {
      throw new DataException("Cannot read " + meta + ": " + e.getMessage(), e);
    }
    if (names.size() != CLASSES) {
      throw new DataException(meta + " names " + names.size() + " classes; CIFAR-10 has "
          + CLASSES + ", one a line. The file is damaged or is not CIFAR-10.");
    }
    return names;
  }

  private static Dataset load(Path dir, List<String> files, int limit) {
    checkPresent(dir);
    long total = 0;
    for (String f : files) total += recordCount(dir, f);
    int n = (int) Math.min(limit > 0 ? limit : Long.MAX_VALUE, total);
    byte[] images = new byte[Math.multiplyExact(n, Dataset.IMAGE_SIZE)]; // (n, 3, 32, 32)
    byte[] labels = new byte[n]; // (n)
    int done = 0;
    for (int i = 0; i < files.size() && done < n; i++) {
      Path file = dir.resolve(files.get(i));
      int take = (int) Math.min(n - done, recordCount(dir, files.get(i)));
      readRecords(file, take, images, labels, done);
      done += take;
    }
    return new Dataset(images, labels, classNames(dir));
  }

  private static void checkPresent(Path dir) {
    List<String> missing = missingFiles(dir);
    if (missing.isEmpty()) return;
    String hint = Files.isRegularFile(dir.resolve("data_batch_1"))
        ? " This looks like the Python version (cifar-10-batches-py); cnnc reads the binary version."
        : "";
    throw new DataException("CIFAR-10 data in " + dir + " is incomplete: missing "
        + String.join(", ", missing) + "." + hint);
  }

  /** Whole records in {@code dir/name}; a clear error when the size is not a multiple of a record. */
  private static long recordCount(Path dir, String name) {
    Path file = dir.resolve(name);
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new DataException("Cannot read the size of " + file + ": " + e.getMessage(), e);
    }
    if (size == 0) throw new DataException(file + " is empty; it should hold 3,073-byte records.");
    long partial = size % RECORD_BYTES;
    if (partial != 0) {
      throw new DataException(String.format(
          "%s is %,d bytes, not a whole number of %,d-byte records: %,d full records and a"
              + " partial last one of %,d bytes. The file is truncated or is not CIFAR-10"
              + " binary data.",
          file, size, RECORD_BYTES, size / RECORD_BYTES, partial));
    }
    return size / RECORD_BYTES;
  }

  /** Reads the first {@code count} records of {@code file} into image/label slot {@code first}. */
  private static void readRecords(Path file, int count, byte[] images, byte[] labels, int first) {
    byte[] chunk = new byte[CHUNK_RECORDS * RECORD_BYTES];
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      for (int done = 0; done < count; ) {
        int records = Math.min(CHUNK_RECORDS, count - done);
        int want = records * RECORD_BYTES;
        if (in.readNBytes(chunk, 0, want) != want) {
          throw new DataException(file + " ended early while reading record " + done
              + "; it changed while being read, or the disk returned a short file.");
        }
        for (int r = 0; r < records; r++) {
          int label = chunk[r * RECORD_BYTES] & 0xFF;
          if (label >= CLASSES) {
            throw new DataException(String.format(
                "%s, record %d (byte offset %,d): label byte is %d, but CIFAR-10 labels are"
                    + " 0 to 9. The file is damaged or is not CIFAR-10.",
                file, done + r, (long) (done + r) * RECORD_BYTES, label));
          }
          int slot = first + done + r;
          labels[slot] = (byte) label;
          System.arraycopy(chunk, r * RECORD_BYTES + 1, images, slot * Dataset.IMAGE_SIZE,
              Dataset.IMAGE_SIZE);
        }
        done += records;
      }
    } catch (IOException e) {
      throw new DataException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
