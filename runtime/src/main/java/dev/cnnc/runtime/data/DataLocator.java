// Decides where the CIFAR-10 files are: --data, then $CNNC_DATA, then ./data/…, then ~/.cache/cnnc/….
package dev.cnnc.runtime.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds a complete cifar-10-batches-bin/ directory. A place may name that directory itself or
 * a folder holding it. An explicit {@code --data} path that does not hold the data is an error
 * at once: falling back elsewhere would hide the user's mistake.
 */
public final class DataLocator {
  public static final String ENV = "CNNC_DATA";
  public static final String DIR_NAME = "cifar-10-batches-bin";

  private final Function<String, String> env;
  private final Path workDir;
  private final Path home;

  /** @param env looks up environment variables (System::getenv outside tests) */
  public DataLocator(Function<String, String> env, Path workDir, Path home) {
    this.env = env;
    this.workDir = workDir;
    this.home = home;
  }

  public static DataLocator fromSystem() {
    return new DataLocator(System::getenv, Path.of("").toAbsolutePath(),
        Path.of(System.getProperty("user.home")));
  }

  /** Where a download should go: ~/.cache/cnnc/cifar-10-batches-bin. */
  public Path cacheDir() {
    return home.resolve(".cache").resolve("cnnc").resolve(DIR_NAME);
  }

  /** One place looked at and, when rejected, why. */
  public record Place(String source, Path path, String rejection) {
    @Override
    public String toString() {
      return source + (path == null ? "" : " (" + path + ")") + ": " + rejection;
    }
  }

  /** The outcome of a search: the data directory, if found, and every place that was rejected. */
  public record Search(Optional<Path> found, List<Place> rejected) {
    /** The full not-found message: every place looked, why, and how to point at the data. */
    public String notFoundMessage() {
      StringBuilder m = new StringBuilder("CIFAR-10 data not found. Looked in:\n");
      for (Place p : rejected) m.append("  ").append(p).append('\n');
      m.append("Point cnnc at the data with --data DIR or ").append(ENV).append("=DIR, where DIR")
          .append(" holds data_batch_1.bin … data_batch_5.bin, test_batch.bin and")
          .append(" batches.meta.txt (the binary version, cifar-10-binary.tar.gz, from")
          .append(" https://www.cs.toronto.edu/~kriz/cifar.html).");
      return m.toString();
    }
  }

  /** The data directory, or a {@link DataException} naming every place looked. */
  public Path locate(Path explicit) {
    Search s = search(explicit);
    return s.found().orElseThrow(() -> new DataException(s.notFoundMessage()));
  }

  /** Looks in order; stops at the first complete directory. An explicit path that fails throws. */
  public Search search(Path explicit) {
    List<Place> rejected = new ArrayList<>();
    if (explicit != null) {
      Path p = explicit.isAbsolute() ? explicit : workDir.resolve(explicit);
      String why = rejection(p);
      if (why == null) return new Search(Optional.of(dataDir(p)), rejected);
      rejected.add(new Place("--data", p, why));
      throw new DataException(new Search(Optional.empty(), rejected).notFoundMessage());
    }
    rejected.add(new Place("--data", null, "not given"));
    String fromEnv = env.apply(ENV);
    List<Place> candidates = new ArrayList<>();
    if (fromEnv == null || fromEnv.isBlank()) {
      rejected.add(new Place("$" + ENV, null, "not set"));
    } else {
      candidates.add(new Place("$" + ENV, workDir.resolve(fromEnv), null));
    }
    candidates.add(new Place("./data/" + DIR_NAME, workDir.resolve("data").resolve(DIR_NAME), null));
    candidates.add(new Place("~/.cache/cnnc/" + DIR_NAME, cacheDir(), null));
    for (Place c : candidates) {
      String why = rejection(c.path());
      if (why == null) return new Search(Optional.of(dataDir(c.path())), rejected);
      rejected.add(new Place(c.source(), c.path(), why));
    }
    return new Search(Optional.empty(), rejected);
  }

  /** The data directory at {@code p}: p itself, or p/cifar-10-batches-bin. */
  private static Path dataDir(Path p) {
    return Cifar10.missingFiles(p).isEmpty() ? p : p.resolve(DIR_NAME);
  }

  /** Why {@code p} does not hold the data, or null when it does. */
  private static String rejection(Path p) {
    if (!Files.exists(p)) return "does not exist";
    if (!Files.isDirectory(p)) return "is not a directory";
    List<String> missing = Cifar10.missingFiles(p);
    if (missing.isEmpty()) return null;
    Path inner = p.resolve(DIR_NAME);
    if (Files.isDirectory(inner)) {
      List<String> innerMissing = Cifar10.missingFiles(inner);
      if (innerMissing.isEmpty()) return null;
      return DIR_NAME + "/ inside it is missing " + String.join(", ", innerMissing);
    }
    if (missing.size() == Cifar10.FILES.size()) return "holds no CIFAR-10 files";
    return "missing " + String.join(", ", missing);
  }
}
