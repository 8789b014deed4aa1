// Checks the safetensors writer byte for byte, the reader on hand-made files, and clear errors on bad ones.
package dev.cnnc.runtime.io;

import static org.junit.jupiter.api.Assertions.*;

import dev.cnnc.runtime.TensorSpec;
import dev.cnnc.runtime.io.SafeTensors.Contents;
import dev.cnnc.runtime.io.SafeTensors.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir Path tmp;

  @Test
  void roundTripKeepsNamesShapesValuesOrderAndMetadata() {
    float[] model = new float[20];
    for (int i = 0; i < model.length; i++) model[i] = (float) Math.sin(i) * 1e3f;
    List<TensorSpec> specs = List.of(
        new TensorSpec("z.weight", new int[] {2, 3, 2}, 0, true),
        new TensorSpec("a.bias", new int[] {4}, 12, false),
        new TensorSpec("scalar", new int[] {}, 16, false),
        new TensorSpec("empty", new int[] {0, 5}, 17, false));
    Path f = tmp.resolve("m.safetensors");
    SafeTensors.write(f, SafeTensors.slices(specs, model), Map.of("epoch", "3", "note", "ü \"q\""));
    Contents c = SafeTensors.read(f);
    assertEquals(List.of("z.weight", "a.bias", "scalar", "empty"),
        c.tensors().stream().map(Tensor::name).toList());
    assertArrayEquals(Arrays.copyOfRange(model, 12, 16), c.find("a.bias").orElseThrow().values());
    assertArrayEquals(new int[] {2, 3, 2}, c.tensors().get(0).shape());
    assertArrayEquals(Arrays.copyOfRange(model, 0, 12), c.tensors().get(0).values());
    assertEquals(model[16], c.find("scalar").orElseThrow().values()[0]);
    assertEquals(0, c.find("empty").orElseThrow().values().length);
    assertEquals(Map.of("epoch", "3", "note", "ü \"q\""), c.metadata());
  }

  @Test
  void writerProducesExactlyTheSpecBytes() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SafeTensors.write(out, List.of(Tensor.of("a", new int[] {2}, new float[] {1.5f, -2f})), Map.of());
    String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"; // 54 bytes
    byte[] expected = concat(le64(56), (json + "  ").getBytes(StandardCharsets.US_ASCII),
        new byte[] {0, 0, (byte) 0xC0, 0x3F, 0, 0, 0, (byte) 0xC0});
    assertArrayEquals(expected, out.toByteArray());
  }

  @Test
  void readsAHandWrittenFileWithMetadataAfterTensorsAndUnsortedOffsets() {
    String json = "{\"b\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[4,8]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
        + "\"__metadata__\":{\"format\":\"pt\"}}";
    byte[] header = json.getBytes(StandardCharsets.US_ASCII);
    byte[] file = concat(le64(header.length), header, f32(0.25f), f32(-7f));
    Contents c = SafeTensors.read(file, "hand");
    assertEquals(List.of("b", "a"), c.tensors().stream().map(Tensor::name).toList());
    assertArrayEquals(new float[] {-7f}, c.find("b").orElseThrow().values());
    assertArrayEquals(new float[] {0.25f}, c.find("a").orElseThrow().values());
    assertEquals(Map.of("format", "pt"), c.metadata());
  }

  @Test
  void truncatedFilesAreReportedAsSuch() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SafeTensors.write(out, List.of(Tensor.of("w", new int[] {3}, new float[] {1, 2, 3})), Map.of());
    byte[] full = out.toByteArray();
    assertError(Arrays.copyOf(full, 5), "too short");
    assertError(Arrays.copyOf(full, 30), "declares a 56-byte header but has only 22 bytes");
    assertError(Arrays.copyOf(full, full.length - 4), "ends at byte 12 of the data, which has only 8 bytes");
    assertError(concat(full, new byte[4]), "4 bytes after the last tensor");
  }

  @Test
  void inconsistentHeadersAreReported() {
    assertError(file("{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "dtype F16");
    assertError(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
        "shape [3] of F32 needs 12");
    assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "overlap");
    assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
        "bytes 0 to 4 of the data belong to no tensor");
    assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]", 4), "not valid JSON");
    assertError(file("{\"__metadata__\":{\"n\":3}}", 0), "'n' is not a string");
    assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "negative");
    assertError(file("[1]", 0), "not a JSON object");
  }

  @Test
  void errorsNameTheFile() throws IOException {
    Path f = Files.write(tmp.resolve("bad.safetensors"), new byte[3]);
    SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(f));
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
  }

  private static void assertError(byte[] file, String expected) {
    SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(file, "f"));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private static byte[] file(String json, int dataBytes) {
    byte[] header = json.getBytes(StandardCharsets.US_ASCII);
    return concat(le64(header.length), header, new byte[dataBytes]);
  }

  static byte[] le64(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }

  static byte[] f32(float v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }
}
