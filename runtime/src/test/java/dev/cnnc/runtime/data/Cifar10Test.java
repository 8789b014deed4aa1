// Checks the CIFAR-10 reader on small generated files and, when present, on the real data.
package dev.cnnc.runtime.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.cnnc.runtime.TestData;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {
  @TempDir Path tmp;

  @Test
  void limitSpansFilesInOrderAndKeepsPixelsAndLabels() throws IOException {
    FakeCifar.write(tmp, 3);
    Dataset d = Cifar10.loadTrain(tmp, 7); // 3 from batch 1, 3 from batch 2, 1 from batch 3
    assertEquals(7, d.size());
    int[][] fileRecord = {{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}, {2, 0}};
    for (int i = 0; i < 7; i++) {
      int f = fileRecord[i][0], r = fileRecord[i][1];
      assertEquals((f + r) % 10, d.label(i), "label of image " + i);
      for (int p : new int[] {0, 1023, 1024, 3071}) {
        assertEquals(FakeCifar.pixel(f, r, p), d.images()[i * Dataset.IMAGE_SIZE + p] & 0xFF,
            "image " + i + " pixel " + p);
      }
    }
    assertEquals(FakeCifar.NAMES, d.classNames());
  }

  @Test
  void noLimitReadsAllTrainingFilesAndTestFileSeparately() throws IOException {
    FakeCifar.write(tmp, 2);
    assertEquals(10, Cifar10.loadTrain(tmp, 0).size());
    Dataset test = Cifar10.loadTest(tmp, -1);
    assertEquals(2, test.size());
    assertEquals(FakeCifar.pixel(5, 1, 100), test.images()[Dataset.IMAGE_SIZE + 100] & 0xFF);
  }

  @Test
  void aSliceDoesNotReadRecordsPastIt() throws IOException {
    FakeCifar.write(tmp, 3);
    corruptLabel(tmp.resolve("data_batch_5.bin"), 1, 200);
    assertEquals(3, Cifar10.loadTrain(tmp, 3).size()); // batch 5 is never read
    DataException e = assertThrows(DataException.class, () -> Cifar10.loadTrain(tmp, 0));
    assertTrue(e.getMessage().contains("data_batch_5.bin"), e.getMessage());
    assertTrue(e.getMessage().contains("record 1"), e.getMessage());
    assertTrue(e.getMessage().contains("label byte is 200"), e.getMessage());
  }

  @Test
  void missingFilesAreAllNamed() throws IOException {
    FakeCifar.write(tmp, 1);
    Files.delete(tmp.resolve("data_batch_3.bin"));
    Files.delete(tmp.resolve("test_batch.bin"));
    DataException e = assertThrows(DataException.class, () -> Cifar10.loadTest(tmp, 1));
    assertTrue(e.getMessage().contains("missing data_batch_3.bin, test_batch.bin"), e.getMessage());
  }

  @Test
  void partialRecordNamesFileSizeAndLeftoverBytes() throws IOException {
    FakeCifar.write(tmp, 2);
    Files.write(tmp.resolve("data_batch_2.bin"), new byte[5], StandardOpenOption.APPEND);
    DataException e = assertThrows(DataException.class, () -> Cifar10.loadTrain(tmp, 1));
    String m = e.getMessage();
    assertTrue(m.contains("data_batch_2.bin"), m);
    assertTrue(m.contains("6,151 bytes"), m); // 2 × 3,073 + 5
    assertTrue(m.contains("partial last one of 5 bytes"), m);
  }

  @Test
  void emptyFileIsReported() throws IOException {
    FakeCifar.write(tmp, 1);
    Files.write(tmp.resolve("test_batch.bin"), new byte[0]);
    DataException e = assertThrows(DataException.class, () -> Cifar10.checkLayout(tmp));
    assertTrue(e.getMessage().contains("test_batch.bin is empty"), e.getMessage());
  }

  @Test
  void metaFileMustNameTenClasses() throws IOException {
    FakeCifar.write(tmp, 1);
    Files.writeString(tmp.resolve(Cifar10.META_FILE), "cat\ndog\n");
    DataException e = assertThrows(DataException.class, () -> Cifar10.loadTest(tmp, 1));
    assertTrue(e.getMessage().contains("names 2 classes"), e.getMessage());
  }

  @Test
  void realDataSliceCrossesIntoSecondBatchAtTheRightRecord() throws IOException {
    Path dir = TestData.cifar10();
    Dataset d = Cifar10.loadTrain(dir, 10_001);
    byte[] record = new byte[Cifar10.RECORD_BYTES];
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("data_batch_2.bin").toFile(), "r")) {
      f.readFully(record);
    }
    assertEquals(record[0], d.labels()[10_000]);
    for (int p = 0; p < Dataset.IMAGE_SIZE; p++) {
      assertEquals(record[1 + p], d.images()[10_000 * Dataset.IMAGE_SIZE + p], "pixel " + p);
    }
    assertEquals("airplane", d.classNames().get(0));
    Cifar10.checkLayout(dir);
  }

  private static void corruptLabel(Path file, int record, int value) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek((long) record * Cifar10.RECORD_BYTES);
      f.write(value);
    }
  }
}
