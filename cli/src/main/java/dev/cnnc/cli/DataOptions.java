// --data and --download: where the CIFAR-10 files are, in DESIGN.md's search order, and fetching
// them (after asking, when someone is at the terminal) when they are nowhere.
package dev.cnnc.cli;

import dev.cnnc.runtime.data.Cifar10Download;
import dev.cnnc.runtime.data.DataException;
import dev.cnnc.runtime.data.DataLocator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

final class DataOptions {
  @Option(names = "--data", paramLabel = "DIR",
      description = "the cifar-10-batches-bin folder (or one holding it); else $CNNC_DATA, ./data/…, ~/.cache/cnnc/…")
  Path data;

  @Option(names = "--download",
      description = "when the data is nowhere, download it into ~/.cache/cnnc without asking")
  boolean download;

  /** The data folder; downloads it when allowed; otherwise a DataException naming every place looked. */
  Path locate(Host host, PrintWriter err) {
    DataLocator locator = new DataLocator(host.env(), host.workDir(), host.home());
    DataLocator.Search search = locator.search(data);
    if (search.found().isPresent()) return search.found().get();
    Path target = locator.cacheDir();
    String notFound = search.notFoundMessage() + "\nOr let cnnc download it into " + target
        + " with --download.";
    if (!download && !(host.interactive() && confirm(host, err, search, target))) {
      throw new DataException(notFound);
    }
    err.println("downloading CIFAR-10 into " + target);
    err.flush();
    return Cifar10Download.official(host.progress()).downloadTo(target);
  }

  private static boolean confirm(Host host, PrintWriter err, DataLocator.Search search, Path target) {
    err.print(search.notFoundMessage().lines().filter(l -> !l.startsWith("Point cnnc")).reduce((a, b) -> a + "\n" + b)
        .orElse("CIFAR-10 data not found.") + "\nDownload the official archive (about 170 MB) from "
        + Cifar10Download.OFFICIAL_URL + " into " + target + "? [Y/n] ");
    err.flush();
    try {
      String answer = host.stdin().readLine();
      return answer != null && (answer.isBlank() || answer.strip().toLowerCase().startsWith("y"));
    } catch (IOException e) {
      return false;
    }
  }
}
