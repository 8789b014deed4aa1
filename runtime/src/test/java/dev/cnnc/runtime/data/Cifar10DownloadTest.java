// Checks download, MD5 verification and atomic unpacking against a local HTTP server and small archives.
package dev.cnnc.runtime.data;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10DownloadTest {
  @TempDir Path tmp;
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) server.stop(0);
  }

  @Test
  void downloadsVerifiesAndUnpacksOverHttp() throws Exception {
    byte[] archive = archive(Cifar10.FILES);
    URI url = serve(archive, 200);
    Path target = tmp.resolve("cache/cifar-10-batches-bin");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Path got = new Cifar10Download(url, md5(archive), new PrintStream(log, true)).downloadTo(target);
    assertEquals(target, got);
    assertEquals(4, Cifar10.loadTest(target, 0).size());
    assertEquals(FakeCifar.pixel(2, 3, 7), Cifar10.loadTrain(target, 0).images()[(8 + 3) * 3072 + 7] & 0xFF);
    assertEquals(List.of("cifar-10-batches-bin"), namesIn(tmp.resolve("cache")), "no temp files left");
    assertFalse(Files.exists(tmp.resolve("evil.txt")), "entries escaping the directory are ignored");
    assertTrue(log.toString().contains("CIFAR-10"), "progress shown: " + log);
  }

  @Test
  void worksFromAFileUrlAndSkipsWhenAlreadyThere() throws Exception {
    byte[] archive = archive(Cifar10.FILES);
    Path file = Files.write(tmp.resolve("a.tar.gz"), archive);
    Path target = tmp.resolve("d/cifar-10-batches-bin");
    Cifar10Download d = new Cifar10Download(file.toUri(), md5(archive), null);
    d.downloadTo(target);
    Files.delete(file); // a second call must not download again
    assertEquals(target, d.downloadTo(target));
  }

  @Test
  void md5MismatchUnpacksNothing() throws Exception {
    byte[] archive = archive(Cifar10.FILES);
    URI url = serve(archive, 200);
    Path target = tmp.resolve("cache/cifar-10-batches-bin");
    String wrong = "00000000000000000000000000000000";
    String m = assertThrows(DataException.class,
        () -> new Cifar10Download(url, wrong, null).downloadTo(target)).getMessage();
    assertTrue(m.contains("has MD5 " + md5(archive) + ", expected " + wrong), m);
    assertTrue(m.contains(url.toString()) && m.contains("--data DIR"), m);
    assertEquals(List.of(), namesIn(tmp.resolve("cache")), "nothing left behind");
  }

  @Test
  void anArchiveWithoutTheTestBatchIsRejected() throws Exception {
    byte[] archive = archive(Cifar10.FILES.subList(0, 5));
    Path target = tmp.resolve("cache/cifar-10-batches-bin");
    Path file = Files.write(tmp.resolve("a.tar.gz"), archive);
    String m = assertThrows(DataException.class,
        () -> new Cifar10Download(file.toUri(), md5(archive), null).downloadTo(target)).getMessage();
    assertTrue(m.contains("test_batch.bin, batches.meta.txt"), m);
    assertEquals(List.of(), namesIn(tmp.resolve("cache")));
  }

  @Test
  void unreachableServerGivesACompleteMessage() throws Exception {
    URI url = serve(new byte[0], 200);
    server.stop(0);
    server = null;
    String m = assertThrows(DataException.class,
        () -> new Cifar10Download(url, "x", null).downloadTo(tmp.resolve("c/cifar-10-batches-bin")))
        .getMessage();
    assertTrue(m.contains("Could not download CIFAR-10 from " + url), m);
    assertTrue(m.contains("cannot connect"), m);
    assertTrue(m.contains("--data DIR or CNNC_DATA=DIR"), m);
  }

  @Test
  void httpErrorStatusIsReported() throws Exception {
    URI url = serve("gone".getBytes(StandardCharsets.UTF_8), 404);
    String m = assertThrows(DataException.class,
        () -> new Cifar10Download(url, "x", null).downloadTo(tmp.resolve("c/cifar-10-batches-bin")))
        .getMessage();
    assertTrue(m.contains("HTTP 404"), m);
  }

  @Test
  void anIncompleteExistingDirectoryIsNotOverwritten() throws Exception {
    Path target = FakeCifar.write(tmp.resolve("cifar-10-batches-bin"), 1);
    Files.delete(target.resolve("data_batch_2.bin"));
    String m = assertThrows(DataException.class,
        () -> new Cifar10Download(URI.create("http://127.0.0.1:1/x"), "x", null).downloadTo(target))
        .getMessage();
    assertTrue(m.contains("missing data_batch_2.bin") && m.contains("will not overwrite"), m);
  }

  /** A tar.gz laid out like the official one (4 records per file), plus a hostile entry. */
  private static byte[] archive(List<String> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
      tar.putArchiveEntry(new TarArchiveEntry("cifar-10-batches-bin/"));
      tar.closeArchiveEntry();
      for (String f : files) {
        int index = Cifar10.FILES.indexOf(f);
        byte[] content = f.endsWith(".bin") ? FakeCifar.records(index, 4)
            : String.join("\n", FakeCifar.NAMES).getBytes(StandardCharsets.UTF_8);
        add(tar, "cifar-10-batches-bin/" + f, content);
      }
      add(tar, "cifar-10-batches-bin/../../evil.txt", new byte[] {1});
      add(tar, "cifar-10-batches-bin/readme.html", new byte[] {2});
    }
    return bytes.toByteArray();
  }

  private static void add(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(content.length);
    tar.putArchiveEntry(e);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  private URI serve(byte[] body, int status) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      ex.sendResponseHeaders(status, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/cifar-10-binary.tar.gz");
  }

  private static String md5(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
  }

  private static List<String> namesIn(Path dir) throws IOException {
    if (!Files.exists(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
