// Writes files so that a crash or a full disk leaves either the old file or the new one, never half of one.
package dev.cnnc.runtime.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes into a temporary file in the target's directory, forces it to disk, then renames it over
 * the target in one atomic step. Any failure deletes the temporary file and becomes a
 * {@link StorageException} naming the target; the previous file, if any, is left as it was.
 */
public final class AtomicFiles {
  /** Produces the file's content. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  public static void write(Path target, Content content) {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
          OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
        content.writeTo(out);
        out.flush();
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      tmp = null;
    } catch (IOException e) {
      throw new StorageException("Could not write " + target + ": " + reason(e) + ". "
          + (Files.exists(target) ? "The previous " + target.getFileName() + " is unchanged."
              : "Nothing was written."), e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  public static void writeBytes(Path target, byte[] bytes) {
    write(target, out -> out.write(bytes));
  }

  public static void writeString(Path target, String text) {
    writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Creates {@code dir} if needed and checks that files can be created in it, so a run fails at
   * its start rather than after its first epoch.
   */
  public static void checkWritableDir(Path dir) {
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".cnnc-write-check.", ".tmp");
      Files.delete(probe);
    } catch (IOException e) {
      throw new StorageException("Cannot write to the folder " + dir + ": " + reason(e) + ".", e);
    }
  }

  /** A short human reason: "no space left on device", "permission denied", … */
  static String reason(IOException e) {
    if (e instanceof NoSuchFileException f) return "no such file or folder: " + f.getFile();
    if (e instanceof AccessDeniedException f) return "permission denied on " + f.getFile();
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason().toLowerCase() + " (" + f.getFile() + ")";
    }
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  private static void deleteQuietly(Path p) {
    if (p == null) return;
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // Best effort: a stray hidden .tmp file is harmless; the real error is being reported.
    }
  }
}
