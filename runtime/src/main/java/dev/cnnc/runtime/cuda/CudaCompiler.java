// Turns a generated .cu into a cubin with nvcc, and keeps cubins in a cache keyed by source and
// GPU architecture, so a network is compiled once per machine (or shipped precompiled).
package dev.cnnc.runtime.cuda;

import dev.cnnc.runtime.CnncException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

public final class CudaCompiler {
  private static final long NVCC_TIMEOUT_MINUTES = 10;

  private CudaCompiler() {}

  /** nvcc from $CUDA_HOME/bin, the PATH or /usr/local/cuda/bin; null when there is none. */
  public static Path findNvcc() {
    List<Path> candidates = new ArrayList<>();
    for (String env : List.of("CUDA_HOME", "CUDA_PATH")) {
      String home = System.getenv(env);
      if (home != null && !home.isBlank()) candidates.add(Path.of(home, "bin", "nvcc"));
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(java.io.File.pathSeparator)) if (!d.isBlank()) candidates.add(Path.of(d, "nvcc"));
    }
    candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
    for (Path p : candidates) if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
    return null;
  }

  /**
   * Compiles {@code source} with {@code nvcc -cubin -arch=<arch>}. A failure is a cnnc bug (the
   * source is generated), so the message carries nvcc's whole log.
   */
  public static byte[] nvcc(Path nvcc, String source, String fileName, String arch) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("cnnc-nvcc");
      Path cu = dir.resolve(fileName);
      Path cubin = dir.resolve(stem(fileName) + ".cubin");
      Files.writeString(cu, source, StandardCharsets.UTF_8);
      List<String> cmd = List.of(nvcc.toString(), "-cubin", "-arch=" + arch, "-lineinfo", "-o", cubin.toString(),
          cu.toString());
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(NVCC_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new CnncException("nvcc took more than " + NVCC_TIMEOUT_MINUTES + " minutes on " + fileName + "; gave up.");
      }
      if (p.exitValue() != 0 || !Files.isRegularFile(cubin)) {
        throw new CnncException("nvcc could not compile the generated " + fileName + " for " + arch
            + " (exit status " + p.exitValue() + "); this is a cnnc bug. The command was:\n  " + String.join(" ", cmd)
            + "\nand its log:\n" + log.strip());
      }
      return Files.readAllBytes(cubin);
    } catch (IOException e) {
      throw new CnncException("Could not run " + nvcc + " on " + fileName + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CnncException("Interrupted while nvcc compiled " + fileName, e);
    } finally {
      if (dir != null) deleteTree(dir);
    }
  }

  /** The cubin cache: -Dcnnc.cuda.cache, $CNNC_CUBIN_CACHE, else ~/.cache/cnnc/cubins (or under $XDG_CACHE_HOME). */
  public static Path defaultCache() {
    String prop = System.getProperty("cnnc.cuda.cache");
    if (prop != null && !prop.isBlank()) return Path.of(prop);
    String env = System.getenv("CNNC_CUBIN_CACHE");
    if (env != null && !env.isBlank()) return Path.of(env);
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("cnnc").resolve("cubins");
  }

  /** Where the cubin of {@code source} for {@code arch} lives in {@code cache}: "SimpleCNN-3f2a…-sm_90.cubin". */
  public static Path cubinPath(Path cache, String fileName, String source, String arch) {
    return cache.resolve(stem(fileName) + "-" + hash(source) + "-" + arch + ".cubin");
  }

  /** The cached cubin, or null. */
  public static byte[] cached(Path cache, String fileName, String source, String arch) {
    if (cache == null) return null;
    Path p = cubinPath(cache, fileName, source, arch);
    try {
      return Files.isRegularFile(p) ? Files.readAllBytes(p) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Best effort: a cache that cannot be written only costs a compilation next time. */
  public static void store(Path cache, String fileName, String source, String arch, byte[] cubin) {
    if (cache == null) return;
    try {
      Files.createDirectories(cache);
      Path target = cubinPath(cache, fileName, source, arch);
      Path tmp = Files.createTempFile(cache, target.getFileName().toString(), ".tmp");
      Files.write(tmp, cubin);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | UnsupportedOperationException ignored) {
      // no cache this time
    }
  }

  static String hash(String source) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(source.getBytes(StandardCharsets.UTF_8))).substring(0, 24);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String stem(String fileName) {
    return fileName.endsWith(".cu") ? fileName.substring(0, fileName.length() - 3) : fileName;
  }

  private static void deleteTree(Path p) {
    try (var s = Files.walk(p)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
    } catch (IOException ignored) {
      // a temporary folder left behind is harmless
    }
  }
}
