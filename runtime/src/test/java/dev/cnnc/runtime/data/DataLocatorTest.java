// Checks the data search order and that the not-found message names every place and the way out.
package dev.cnnc.runtime.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataLocatorTest {
  @TempDir Path tmp;

  private DataLocator locator(Map<String, String> env) {
    return new DataLocator(env::get, tmp.resolve("work"), tmp.resolve("home"));
  }

  @Test
  void explicitPathWinsOverEverythingElse() throws IOException {
    Path explicit = FakeCifar.write(tmp.resolve("mine"), 1);
    Path viaEnv = FakeCifar.write(tmp.resolve("env"), 1);
    FakeCifar.write(tmp.resolve("home/.cache/cnnc/cifar-10-batches-bin"), 1);
    assertEquals(explicit, locator(Map.of("CNNC_DATA", viaEnv.toString())).locate(explicit));
  }

  @Test
  void orderIsEnvThenWorkingDirThenCache() throws IOException {
    Path cache = FakeCifar.write(tmp.resolve("home/.cache/cnnc/cifar-10-batches-bin"), 1);
    assertEquals(cache, locator(Map.of()).locate(null));
    Path local = FakeCifar.write(tmp.resolve("work/data/cifar-10-batches-bin"), 1);
    assertEquals(local, locator(Map.of()).locate(null));
    Path viaEnv = FakeCifar.write(tmp.resolve("env"), 1);
    assertEquals(viaEnv, locator(Map.of("CNNC_DATA", viaEnv.toString())).locate(null));
  }

  @Test
  void aFolderHoldingTheDataDirectoryIsAccepted() throws IOException {
    FakeCifar.write(tmp.resolve("parent/cifar-10-batches-bin"), 1);
    assertEquals(tmp.resolve("parent/cifar-10-batches-bin"),
        locator(Map.of()).locate(tmp.resolve("parent")));
  }

  @Test
  void notFoundNamesEveryPlaceWithItsReasonAndTheFix() throws IOException {
    Path incomplete = FakeCifar.write(tmp.resolve("env"), 1);
    Files.delete(incomplete.resolve("test_batch.bin"));
    Files.createDirectories(tmp.resolve("work/data"));
    Files.writeString(tmp.resolve("work/data/cifar-10-batches-bin"), "not a dir");
    String m = assertThrows(DataException.class,
        () -> locator(Map.of("CNNC_DATA", incomplete.toString())).locate(null)).getMessage();
    assertTrue(m.contains("--data: not given"), m);
    assertTrue(m.contains("$CNNC_DATA (" + incomplete + "): missing test_batch.bin"), m);
    assertTrue(m.contains("./data/cifar-10-batches-bin (" + tmp.resolve("work/data/cifar-10-batches-bin")
        + "): is not a directory"), m);
    assertTrue(m.contains("~/.cache/cnnc/cifar-10-batches-bin ("
        + tmp.resolve("home/.cache/cnnc/cifar-10-batches-bin") + "): does not exist"), m);
    assertTrue(m.contains("--data DIR") && m.contains("CNNC_DATA=DIR"), m);
  }

  @Test
  void unsetEnvIsReportedAsNotSet() {
    DataLocator.Search s = locator(Map.of()).search(null);
    assertTrue(s.found().isEmpty());
    assertTrue(s.notFoundMessage().contains("$CNNC_DATA: not set"), s.notFoundMessage());
  }

  @Test
  void aWrongExplicitPathFailsWithoutFallingBack() throws IOException {
    FakeCifar.write(tmp.resolve("home/.cache/cnnc/cifar-10-batches-bin"), 1);
    Files.createDirectories(tmp.resolve("empty"));
    String m = assertThrows(DataException.class,
        () -> locator(Map.of()).locate(tmp.resolve("empty"))).getMessage();
    assertTrue(m.contains("--data (" + tmp.resolve("empty") + "): holds no CIFAR-10 files"), m);
  }
}
