// Downloads the official CIFAR-10 archive, checks its MD5 and unpacks it atomically.
package dev.cnnc.runtime.data;

import dev.cnnc.runtime.ProgressBars;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLConnection;
import java.net.UnknownHostException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Fetches cifar-10-binary.tar.gz into a temporary file beside the target, verifies its MD5, unpacks
 * its cifar-10-batches-bin/ into a temporary directory, and only then renames that into place,
 * so an interrupted download never leaves a half-written data directory behind.
 */
public final class Cifar10Download {
  public static final URI OFFICIAL_URL =
      URI.create("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz");
  public static final String OFFICIAL_MD5 = "c32a1d4ab5d03f1284b67883e8d87530";
  private static final String PREFIX = DataLocator.DIR_NAME + "/";
  private static final int TIMEOUT_MS = 30_000;

  private final URI url;
  private final String md5;
  private final PrintStream progress;

  /** @param progress where the progress bar goes; null for none */
  public Cifar10Download(URI url, String md5, PrintStream progress) {
    this.url = url;
    this.md5 = md5.toLowerCase();
    this.progress = progress;
  }

  public static Cifar10Download official(PrintStream progress) {
    return new Cifar10Download(OFFICIAL_URL, OFFICIAL_MD5, progress);
  }

  /**
   * Makes {@code target} (a .../cifar-10-batches-bin directory) hold the data set and returns it.
   * Does nothing when it already does; refuses to touch an existing incomplete directory.
   */
  public Path downloadTo(Path target) {
    if (Files.isDirectory(target) && Cifar10.missingFiles(target).isEmpty()) return target;
    if (Files.exists(target)) {
      throw new DataException(target + " exists but is not a complete CIFAR-10 directory (missing "
          + String.join(", ", Cifar10.missingFiles(target)) + "). Remove it or complete it by hand;"
          + " cnnc will not overwrite it.");
    }
    Path parent = target.toAbsolutePath().getParent();
    Path archive = null;
    Path unpacked = null;
    try {
      Files.createDirectories(parent);
      archive = Files.createTempFile(parent, ".cifar-10-binary.", ".tar.gz.part");
      fetch(archive);
      unpacked = Files.createTempDirectory(parent, "." + DataLocator.DIR_NAME + ".");
      unpack(archive, unpacked);
      moveIntoPlace(unpacked, target);
      return target;
    } catch (IOException e) {
      throw new DataException("Could not set up CIFAR-10 in " + target + ": " + describe(e)
          + ". " + elsewhere(target), e);
    } finally {
      deleteQuietly(archive);
      deleteQuietly(unpacked);
    }
  }

  /** Downloads {@link #url} into {@code archive}, checking the MD5 on the way. */
  private void fetch(Path archive) {
    MessageDigest digest = md5Digest();
    try {
      URLConnection c = url.toURL().openConnection();
      c.setConnectTimeout(TIMEOUT_MS);
      c.setReadTimeout(TIMEOUT_MS);
      if (c instanceof HttpURLConnection http && http.getResponseCode() != 200) {
        throw new IOException("the server answered HTTP " + http.getResponseCode() + " "
            + http.getResponseMessage());
      }
      long length = c.getContentLengthLong();
      try (InputStream in = new DigestInputStream(c.getInputStream(), digest);
          OutputStream out = Files.newOutputStream(archive);
          ProgressBar bar = progress == null ? null
              : ProgressBars.create(progress, "CIFAR-10", length, "MiB", 1 << 20)) {
        copy(in, out, bar);
      }
    } catch (IOException e) {
      throw new DataException("Could not download CIFAR-10 from " + url + ": " + describe(e) + ". "
          + elsewhere(null), e);
    }
    String actual = HexFormat.of().formatHex(digest.digest());
    if (!actual.equals(md5)) {
      throw new DataException("The file downloaded from " + url + " has MD5 " + actual
          + ", expected " + md5 + ": it is damaged or not the CIFAR-10 binary archive. Nothing"
          + " was unpacked. Try again, or " + elsewhere(null));
    }
  }

  private static void copy(InputStream in, OutputStream out, ProgressBar bar) throws IOException {
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) > 0; ) {
      out.write(buf, 0, n);
      if (bar != null) bar.stepBy(n);
    }
  }

  /** Copies the plain files under cifar-10-batches-bin/ in the archive into {@code dir}. */
  private static void unpack(Path archive, Path dir) throws IOException {
    try (TarArchiveInputStream tar = new TarArchiveInputStream(
        new GzipCompressorInputStream(new BufferedInputStream(Files.newInputStream(archive))))) {
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
        if (!e.isFile() || !name.startsWith(PREFIX)) continue;
        String file = name.substring(PREFIX.length());
        // Only flat, ordinary names: an archive must not write outside the directory.
        if (file.isEmpty() || file.contains("/") || file.contains("\\") || file.startsWith(".")) {
          continue;
        }
        Files.copy(tar, dir.resolve(file));
      }
    }
    List<String> missing = Cifar10.missingFiles(dir);
    if (!missing.isEmpty()) {
      throw new DataException("The downloaded archive has no " + PREFIX + " with "
          + String.join(", ", missing) + ": it is not the CIFAR-10 binary archive. "
          + elsewhere(null));
    }
    Cifar10.checkLayout(dir);
  }

  /** Renames the finished directory into place; losing a race to an identical copy is fine. */
  private static void moveIntoPlace(Path unpacked, Path target) throws IOException {
    try {
      Files.move(unpacked, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      if (!Cifar10.missingFiles(target).isEmpty()) throw e;
    }
  }

  private static String elsewhere(Path target) {
    return "To use a copy you already have, unpack cifar-10-binary.tar.gz"
        + (target == null ? "" : " so that " + target.resolve("data_batch_1.bin") + " exists,")
        + " or point cnnc at its cifar-10-batches-bin directory with --data DIR or CNNC_DATA=DIR.";
  }

  private static String describe(IOException e) {
    if (e instanceof UnknownHostException) return "cannot resolve host " + e.getMessage() + " (no network?)";
    if (e instanceof ConnectException) return "cannot connect (" + e.getMessage() + ")";
    if (e instanceof SocketTimeoutException) return "no answer within " + TIMEOUT_MS / 1000 + " s";
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  private static MessageDigest md5Digest() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has MD5", e);
    }
  }

  private static void deleteQuietly(Path p) {
    if (p == null || !Files.exists(p)) return;
    try (Stream<Path> all = Files.walk(p)) {
      for (Path q : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
    } catch (IOException ignored) {
      // A leftover temporary file is harmless; the real error, if any, is already on its way.
    }
  }
}
