// Reads and writes safetensors files (F32 only): the checkpoint format PyTorch users can load directly.
package dev.cnnc.runtime.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.cnnc.runtime.TensorSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The safetensors layout: an 8-byte little-endian header length, a JSON header (padded with
 * spaces to a multiple of 8) mapping each tensor name to {@code dtype}, {@code shape} and
 * {@code data_offsets} (begin, end) relative to the data section, an optional
 * {@code __metadata__} map of strings, then the little-endian tensor bytes, back to back, in the
 * order given. Reading checks everything the header claims against the file.
 */
public final class SafeTensors {
  static final String METADATA = "__metadata__";
  /** Largest header accepted, as in the reference implementation: beyond it, the file is not sane. */
  static final long MAX_HEADER = 100_000_000;
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private SafeTensors() {}

  /** A named tensor: {@code data[offset .. offset + size())}, row-major in {@code shape}. */
  public record Tensor(String name, int[] shape, float[] data, int offset) {
    public Tensor {
      shape = shape.clone();
    }

    /** A tensor that owns all of {@code data}. */
    public static Tensor of(String name, int[] shape, float[] data) {
      return new Tensor(name, shape, data, 0);
    }

    /** The slice of a model array that {@code spec} describes (no copy). */
    public static Tensor of(TensorSpec spec, float[] data) {
      return new Tensor(spec.name(), spec.shape(), data, spec.offset());
    }

    public long size() {
      long n = 1;
      for (int d : shape) n *= d;
      return n;
    }

    @Override
    public int[] shape() {
      return shape.clone();
    }

    /** The values as a fresh array of exactly {@link #size()} floats. */
    public float[] values() {
      return Arrays.copyOfRange(data, offset, offset + (int) size());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tensor t && t.name.equals(name) && Arrays.equals(t.shape, shape)
          && Arrays.equals(t.values(), values());
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }

    @Override
    public String toString() {
      return name + Arrays.toString(shape);
    }
  }

  /** What a file holds: its tensors in header order, and its metadata. */
  public record Contents(List<Tensor> tensors, Map<String, String> metadata) {
    public Contents {
      tensors = List.copyOf(tensors);
      metadata = Map.copyOf(metadata);
    }

    public Optional<Tensor> find(String name) {
      for (Tensor t : tensors) {
        if (t.name().equals(name)) return Optional.of(t);
      }
      return Optional.empty();
    }
  }

  /** Writes {@code path} atomically (see {@link AtomicFiles}). */
  public static void write(Path path, List<Tensor> tensors, Map<String, String> metadata) {
    byte[] header = header(tensors, metadata);
    AtomicFiles.write(path, out -> write(out, header, tensors));
  }

  /** Writes the whole file to {@code out}. */
  public static void write(OutputStream out, List<Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    write(out, header(tensors, metadata), tensors);
  }

  /** The slices of {@code data} named by {@code specs}, for writing a model's arrays. */
  public static List<Tensor> slices(List<TensorSpec> specs, float[] data) {
    List<Tensor> out = new ArrayList<>(specs.size());
    for (TensorSpec s : specs) out.add(Tensor.of(s, data));
    return out;
  }

  public static Contents read(Path path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new SafeTensorsException("Cannot read " + path + ": " + AtomicFiles.reason(e), e);
    }
    return read(bytes, path.toString());
  }

  /** Parses a whole file's bytes; {@code source} names it in error messages. */
  public static Contents read(byte[] bytes, String source) {
    if (bytes.length < 8) {
      throw error(source, "is " + bytes.length + " bytes long, too short even for the 8-byte header length");
    }
    long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLength <= 0 || headerLength > bytes.length - 8 || headerLength > MAX_HEADER) {
      throw error(source, "declares a " + headerLength + "-byte header but has only "
          + (bytes.length - 8) + " bytes after the length field: the file is truncated or is not safetensors");
    }
    int dataStart = 8 + (int) headerLength;
    JsonObject header = parseHeader(bytes, (int) headerLength, source);
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : header.entrySet()) {
      if (e.getKey().equals(METADATA)) {
        readMetadata(e.getValue(), metadata, source);
      } else {
        entries.add(entry(e.getKey(), e.getValue(), source));
      }
    }
    checkLayout(entries, bytes.length - dataStart, source);
    List<Tensor> tensors = new ArrayList<>(entries.size());
    for (Entry e : entries) tensors.add(decode(e, bytes, dataStart));
    return new Contents(tensors, metadata);
  }

  // ---- writing

  private static byte[] header(List<Tensor> tensors, Map<String, String> metadata) {
    JsonObject json = new JsonObject();
    if (!metadata.isEmpty()) {
      JsonObject meta = new JsonObject();
      metadata.forEach(meta::addProperty);
      json.add(METADATA, meta);
    }
    Set<String> names = new HashSet<>();
    long offset = 0;
    for (Tensor t : tensors) {
      checkWritable(t, names);
      JsonObject o = new JsonObject();
      o.addProperty("dtype", "F32");
      JsonArray shape = new JsonArray();
      for (int d : t.shape()) shape.add(d);
      o.add("shape", shape);
      JsonArray offsets = new JsonArray();
      offsets.add(offset);
      offset += 4 * t.size();
      offsets.add(offset);
      o.add("data_offsets", offsets);
      json.add(t.name(), o);
    }
    byte[] text = GSON.toJson(json).getBytes(StandardCharsets.UTF_8);
    int padded = (text.length + 7) / 8 * 8;
    byte[] header = Arrays.copyOf(text, padded);
    Arrays.fill(header, text.length, padded, (byte) ' ');
    return header;
  }

  private static void checkWritable(Tensor t, Set<String> names) {
    if (t.name().isEmpty() || t.name().equals(METADATA) || !names.add(t.name())) {
      throw new IllegalArgumentException("tensor name '" + t.name() + "' is empty, reserved or repeated");
    }
    for (int d : t.shape) {
      if (d < 0) throw new IllegalArgumentException(t + " has a negative dimension");
    }
    if (t.offset() < 0 || t.offset() + t.size() > t.data().length) {
      throw new IllegalArgumentException(t + " at offset " + t.offset() + " does not fit in "
          + t.data().length + " floats");
    }
  }

  private static void write(OutputStream out, byte[] header, List<Tensor> tensors) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(header.length);
    out.write(buf.array(), 0, 8);
    out.write(header);
    for (Tensor t : tensors) {
      int at = t.offset();
      int end = at + (int) t.size();
      while (at < end) {
        int n = Math.min(end - at, buf.capacity() / 4);
        buf.clear();
        buf.asFloatBuffer().put(t.data(), at, n);
        out.write(buf.array(), 0, 4 * n);
        at += n;
      }
    }
  }

  // ---- reading

  /** One header entry: where its bytes are, relative to the data section. */
  private record Entry(String name, int[] shape, long begin, long end) {}

  private static JsonObject parseHeader(byte[] bytes, int length, String source) {
    String text = new String(bytes, 8, length, StandardCharsets.UTF_8);
    try {
      JsonElement json = JsonParser.parseString(text);
      if (!json.isJsonObject()) throw error(source, "has a header that is not a JSON object");
      return json.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new SafeTensorsException(source + ": the header is not valid JSON ("
          + e.getMessage() + "); the file is damaged or is not safetensors", e);
    }
  }

  private static void readMetadata(JsonElement json, Map<String, String> out, String source) {
    if (!json.isJsonObject()) throw error(source, METADATA + " is not an object");
    for (Map.Entry<String, JsonElement> e : json.getAsJsonObject().entrySet()) {
      JsonElement v = e.getValue();
      if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
        throw error(source, METADATA + " value '" + e.getKey() + "' is not a string");
      }
      out.put(e.getKey(), v.getAsString());
    }
  }

  private static Entry entry(String name, JsonElement json, String source) {
    String where = "tensor '" + name + "'";
    if (!json.isJsonObject()) throw error(source, where + " is not described by a JSON object");
    JsonObject o = json.getAsJsonObject();
    JsonElement dtype = o.get("dtype");
    if (dtype == null || !dtype.isJsonPrimitive()) throw error(source, where + " has no dtype");
    if (!dtype.getAsString().equals("F32")) {
      throw error(source, where + " has dtype " + dtype.getAsString()
          + "; cnnc reads only F32 (convert it, e.g. tensor.float(), before saving)");
    }
    long[] shape = longs(o.get("shape"), -1, where + " shape", source);
    long[] offsets = longs(o.get("data_offsets"), 2, where + " data_offsets", source);
    long count = 1;
    int[] dims = new int[shape.length];
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] > Integer.MAX_VALUE) throw error(source, where + " has a dimension of " + shape[i]);
      dims[i] = (int) shape[i];
      count = Math.multiplyExact(count, shape[i]);
    }
    if (offsets[1] < offsets[0] || offsets[1] - offsets[0] != 4 * count) {
      throw error(source, where + " has data_offsets [" + offsets[0] + ", " + offsets[1] + "], "
          + (offsets[1] - offsets[0]) + " bytes, but shape " + Arrays.toString(dims) + " of F32 needs "
          + 4 * count);
    }
    return new Entry(name, dims, offsets[0], offsets[1]);
  }

  /** A JSON array of non-negative integers; {@code length} -1 means any length. */
  private static long[] longs(JsonElement json, int length, String what, String source) {
    if (json == null || !json.isJsonArray()) throw error(source, what + " is missing or not an array");
    JsonArray a = json.getAsJsonArray();
    if (length >= 0 && a.size() != length) throw error(source, what + " should have " + length + " numbers");
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonElement e = a.get(i);
      try {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw new NumberFormatException();
        out[i] = Long.parseLong(e.getAsString());
      } catch (NumberFormatException ex) {
        throw error(source, what + " holds " + e + ", not a whole number");
      }
      if (out[i] < 0) throw error(source, what + " holds a negative number");
    }
    return out;
  }

  /** Tensors must tile the data section exactly: no gaps, no overlaps, nothing past its end. */
  private static void checkLayout(List<Entry> entries, long dataLength, String source) {
    List<Entry> byBegin = new ArrayList<>(entries);
    byBegin.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long at = 0;
    String previous = null;
    for (Entry e : byBegin) {
      if (e.end() > dataLength) {
        throw error(source, "tensor '" + e.name() + "' ends at byte " + e.end() + " of the data, which has only "
            + dataLength + " bytes: the file is truncated");
      }
      if (e.begin() < at) throw error(source, "tensors '" + previous + "' and '" + e.name() + "' overlap");
      if (e.begin() > at) {
        throw error(source, "bytes " + at + " to " + e.begin() + " of the data belong to no tensor");
      }
      at = e.end();
      previous = e.name();
    }
    if (at != dataLength) {
      throw error(source, (dataLength - at) + " bytes after the last tensor belong to no tensor");
    }
  }

  private static Tensor decode(Entry e, byte[] bytes, int dataStart) {
    float[] values = new float[(int) ((e.end() - e.begin()) / 4)];
    ByteBuffer.wrap(bytes, dataStart + (int) e.begin(), 4 * values.length)
        .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return Tensor.of(e.name(), e.shape(), values);
  }

  private static SafeTensorsException error(String source, String what) {
    return new SafeTensorsException(source + ": " + what + ".");
  }
}
