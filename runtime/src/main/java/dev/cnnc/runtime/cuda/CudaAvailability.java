// Decides, without loading a single CUDA class or native library, whether the CUDA backend can
// start here, and if not, names what is missing: the bindings, their native half, or the driver.
package dev.cnnc.runtime.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The checks run in the order a user would fix things. Whether a GPU is actually present is
 * only known once the driver answers {@code cuInit}; {@link JavaCppDevice} reports that.
 */
public final class CudaAvailability {
  /** The JavaCPP presets the runtime is built against (root pom: javacpp-cuda.version). */
  public static final String CUDA_PRESETS_VERSION = "13.1-9.19-1.5.13";
  /** The JavaCPP version of those presets (root pom: javacpp.version). */
  public static final String JAVACPP_VERSION = "1.5.13";
  /** The driver library every CUDA program needs. */
  public static final String DRIVER_LIBRARY = "libcuda.so.1";

  private CudaAvailability() {}

  /** Throws a {@link dev.cnnc.runtime.CnncException} naming what is missing; returns when the backend can try to start. */
  public static void check() {
    String problem = problem();
    if (problem != null) throw new CudaUnavailableException(problem);
  }

  /** Why the CUDA backend cannot start here, or null when nothing is known to be missing. */
  public static String problem() {
    String platform = platform();
    if (platform == null) {
      return "The CUDA backend runs on Linux (x86-64 or arm64); this is " + System.getProperty("os.name") + " on "
          + System.getProperty("os.arch") + ". Use --backend java.";
    }
    ClassLoader loader = CudaAvailability.class.getClassLoader();
    if (loader.getResource("org/bytedeco/cuda/global/cudart.class") == null) {
      return "The CUDA backend needs the JavaCPP CUDA bindings (org.bytedeco:cuda:" + CUDA_PRESETS_VERSION
          + "), and they are not on the class path. Rebuild cnnc with Maven, which adds them. Or use --backend java.";
    }
    List<String> missing = new ArrayList<>();
    if (loader.getResource("org/bytedeco/cuda/" + platform + "/libjnicudart.so") == null && !onLibraryPath("libjnicudart.so")) {
      missing.add("org.bytedeco:cuda:" + CUDA_PRESETS_VERSION + ":" + platform);
    }
    if (loader.getResource("org/bytedeco/javacpp/" + platform + "/libjnijavacpp.so") == null
        && !onLibraryPath("libjnijavacpp.so")) {
      missing.add("org.bytedeco:javacpp:" + JAVACPP_VERSION + ":" + platform);
    }
    if (!missing.isEmpty()) {
      return "The CUDA backend needs the JNI half of the JavaCPP CUDA bindings for " + platform + " ("
          + String.join(" and ", missing) + "), and it is not on the class path. cnnc ships the bindings alone,"
          + " to use the NVIDIA driver and CUDA libraries already installed; build it with `mvn -Pcuda install`"
          + " to add the JNI jars, or add them to the class path. Or use --backend java.";
    }
    List<Path> looked = new ArrayList<>();
    if (findLibrary(DRIVER_LIBRARY, looked) == null) {
      return "No NVIDIA driver here: " + DRIVER_LIBRARY + " is not installed (looked in " + describe(looked)
          + "). The CUDA backend needs an NVIDIA GPU and its driver; on a machine without one, use --backend java.";
    }
    return null;
  }

  /** JavaCPP's name for this platform, or null where the CUDA presets have no build. */
  static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (!os.startsWith("linux")) return null;
    if (arch.equals("amd64") || arch.equals("x86_64")) return "linux-x86_64";
    if (arch.equals("aarch64") || arch.equals("arm64")) return "linux-arm64";
    return null;
  }

  private static boolean onLibraryPath(String file) {
    for (String dir : System.getProperty("java.library.path", "").split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isRegularFile(Path.of(dir, file))) return true;
    }
    return false;
  }

  /**
   * Where the dynamic linker would find {@code soname}, or null: LD_LIBRARY_PATH, the ld.so cache,
   * then the places drivers and toolkits install to. {@code looked} receives the folders tried.
   */
  public static Path findLibrary(String soname, List<Path> looked) {
    Set<Path> dirs = new LinkedHashSet<>();
    String ld = System.getenv("LD_LIBRARY_PATH");
    if (ld != null) {
      for (String d : ld.split(":")) if (!d.isBlank()) dirs.add(Path.of(d));
    }
    looked.add(Path.of("the ld.so cache"));
    Path cached = fromLdCache(soname);
    if (cached != null) return cached;
    for (String d : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
        "/lib64", "/lib/x86_64-linux-gnu", "/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/usr/lib/wsl/lib",
        "/usr/local/cuda/lib64", "/usr/local/cuda/compat")) {
      dirs.add(Path.of(d));
    }
    for (Path d : dirs) {
      looked.add(d);
      Path f = d.resolve(soname);
      if (Files.exists(f)) return f;
    }
    return null;
  }

  /** The ld.so cache's entry for {@code soname}, via `ldconfig -p`; null when absent or unreadable. */
  private static Path fromLdCache(String soname) {
    for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig")) {
      if (ldconfig.startsWith("/") && !Files.isExecutable(Path.of(ldconfig))) continue;
      try {
        Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
          String l = line.strip();
          int arrow = l.lastIndexOf("=> ");
          if (l.startsWith(soname + " ") && arrow > 0) {
            Path f = Path.of(l.substring(arrow + 3).strip());
            if (Files.exists(f)) return f;
          }
        }
        return null;
      } catch (IOException e) {
        // try the next spelling
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  private static String describe(List<Path> looked) {
    List<String> s = new ArrayList<>();
    for (Path p : looked) s.add(p.toString());
    return String.join(", ", s);
  }
}
