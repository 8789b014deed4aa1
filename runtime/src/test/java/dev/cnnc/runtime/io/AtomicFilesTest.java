// Checks that failed writes leave the previous file intact, leave no temporary files, and name the path.
package dev.cnnc.runtime.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path tmp;

  @Test
  void replacesTheFileWhole() throws IOException {
    Path f = tmp.resolve("a.txt");
    AtomicFiles.writeString(f, "first");
    AtomicFiles.writeString(f, "second");
    assertEquals("second", Files.readString(f));
    assertEquals(1, count(tmp));
  }

  @Test
  void aFailureMidWriteKeepsThePreviousFile() throws IOException {
    Path f = tmp.resolve("weights.safetensors");
    AtomicFiles.writeString(f, "good");
    StorageException e = assertThrows(StorageException.class, () -> AtomicFiles.write(f, out -> {
      out.write(new byte[100_000]);
      throw new IOException("No space left on device");
    }));
    assertTrue(e.getMessage().contains("Could not write " + f + ": No space left on device"), e.getMessage());
    assertTrue(e.getMessage().contains("previous weights.safetensors is unchanged"), e.getMessage());
    assertEquals("good", Files.readString(f));
    assertEquals(1, count(tmp), "temporary file removed");
  }

  @Test
  void anUnwritableFolderIsNamed() throws IOException {
    Path notADir = Files.writeString(tmp.resolve("file"), "x");
    Path f = notADir.resolve("out.txt");
    StorageException e = assertThrows(StorageException.class, () -> AtomicFiles.writeString(f, "y"));
    assertTrue(e.getMessage().contains("Could not write " + f), e.getMessage());
    assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    StorageException d = assertThrows(StorageException.class,
        () -> AtomicFiles.checkWritableDir(notADir.resolve("run")));
    assertTrue(d.getMessage().contains("Cannot write to the folder " + notADir.resolve("run")), d.getMessage());
  }

  @Test
  void aRuntimeFailureAlsoCleansUp() throws IOException {
    Path f = tmp.resolve("x");
    assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
      throw new IllegalStateException("boom");
    }));
    assertEquals(0, count(tmp));
  }

  private static long count(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }
}
