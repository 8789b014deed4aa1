// Saves and restores weights (for people and PyTorch) and the full training state (for --resume).
package dev.cnnc.runtime.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.cnnc.runtime.CnncException;
import dev.cnnc.runtime.Model;
import dev.cnnc.runtime.TensorSpec;
import dev.cnnc.runtime.io.SafeTensors;
import dev.cnnc.runtime.io.SafeTensors.Contents;
import dev.cnnc.runtime.io.SafeTensors.Tensor;
import dev.cnnc.runtime.optim.Optimizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * weights.safetensors holds the parameters and buffers under their TensorSpec names.
 * state.safetensors is self-contained for resuming: the same tensors, the optimizer state under
 * "optimizer/…", and in its metadata the epochs done, seed, batch, data size and metrics so far.
 * Resuming reads only the state file, so a crash between writing the two files is harmless.
 */
public final class Checkpoint {
  public static final String WEIGHTS = "weights.safetensors";
  public static final String STATE = "state.safetensors";
  static final String OPTIMIZER = "optimizer/";

  private Checkpoint() {}

  /** What a state file says besides the tensors. */
  record TrainState(int epochsDone, long seed, int batch, int trainSize, List<EpochMetrics> history) {}

  /** Writes the model's parameters and buffers, atomically. */
  public static void saveWeights(Path file, Model model, Map<String, String> metadata) {
    Map<String, String> meta = new LinkedHashMap<>(metadata);
    meta.put("format", "pt"); // what safetensors' PyTorch helpers expect
    meta.put("network", model.name());
    SafeTensors.write(file, modelTensors(model), meta);
  }

  /** Loads parameters and buffers saved by {@link #saveWeights}; names and shapes must match. */
  public static void loadWeights(Path file, Model model) {
    loadModel(SafeTensors.read(file), model, file);
  }

  static void saveState(Path file, Model model, Optimizer optimizer, TrainState s) {
    List<Tensor> tensors = modelTensors(model);
    for (Map.Entry<String, float[]> e : optimizer.exportState().entrySet()) {
      tensors.add(Tensor.of(OPTIMIZER + e.getKey(), new int[] {e.getValue().length}, e.getValue()));
    }
    JsonArray metrics = new JsonArray();
    for (EpochMetrics m : s.history()) metrics.add(m.toJson());
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "cnnc-train-state");
    meta.put("network", model.name());
    meta.put("epochs_done", Integer.toString(s.epochsDone()));
    meta.put("seed", Long.toString(s.seed()));
    meta.put("batch", Integer.toString(s.batch()));
    meta.put("train_size", Integer.toString(s.trainSize()));
    meta.put("metrics", metrics.toString());
    SafeTensors.write(file, tensors, meta);
  }

  /** Restores model and optimizer from {@code file} and returns the rest of the state. */
  static TrainState loadState(Path file, Model model, Optimizer optimizer) {
    Contents c = SafeTensors.read(file);
    Map<String, String> meta = c.metadata();
    if (!"cnnc-train-state".equals(meta.get("format"))) {
      throw new CnncException(file + " is not a cnnc training state (its format is "
          + meta.get("format") + ").");
    }
    loadModel(c, model, file);
    Map<String, float[]> opt = new LinkedHashMap<>();
    for (Tensor t : c.tensors()) {
      if (t.name().startsWith(OPTIMIZER)) opt.put(t.name().substring(OPTIMIZER.length()), t.values());
    }
    try {
      optimizer.importState(opt);
    } catch (IllegalArgumentException e) {
      throw new CnncException(file + " holds optimizer state that does not fit this run's optimizer ("
          + e.getMessage() + "); resume with the optimizer the run started with.", e);
    }
    List<EpochMetrics> history = new ArrayList<>();
    for (JsonElement m : JsonParser.parseString(meta.get("metrics")).getAsJsonArray()) {
      history.add(EpochMetrics.fromJson(m.getAsJsonObject()));
    }
    return new TrainState(Integer.parseInt(meta.get("epochs_done")), Long.parseLong(meta.get("seed")),
        Integer.parseInt(meta.get("batch")), Integer.parseInt(meta.get("train_size")), history);
  }

  private static List<Tensor> modelTensors(Model model) {
    List<Tensor> tensors = new ArrayList<>(SafeTensors.slices(model.parameters(), model.parameterData()));
    tensors.addAll(SafeTensors.slices(model.buffers(), model.bufferData()));
    return tensors;
  }

  /**
   * Copies every parameter and buffer from {@code c}; all must be there with the right shape. The
   * error names a few of the missing and foreign tensors and counts the rest (a file of another
   * network lists every tensor of both), and every shape that differs.
   */
  private static void loadModel(Contents c, Model model, Path file) {
    Set<String> expected = new HashSet<>();
    List<String> missing = new ArrayList<>(), foreign = new ArrayList<>(), shapes = new ArrayList<>();
    copy(c, model.parameters(), model.parameterData(), expected, missing, shapes);
    copy(c, model.buffers(), model.bufferData(), expected, missing, shapes);
    for (Tensor t : c.tensors()) {
      if (!expected.contains(t.name()) && !t.name().startsWith(OPTIMIZER)) foreign.add(t.name());
    }
    List<String> problems = new ArrayList<>();
    if (!missing.isEmpty()) problems.add("it lacks " + some(missing));
    if (!foreign.isEmpty()) problems.add("it has tensors " + model.name() + " does not (" + some(foreign) + ")");
    problems.addAll(shapes);
    if (!problems.isEmpty()) {
      throw new CnncException(file + " does not fit the network " + model.name() + ": "
          + String.join("; ", problems) + ".");
    }
  }

  /** The first four names, and how many more. */
  private static String some(List<String> names) {
    int shown = names.size() <= 5 ? names.size() : 4;
    return String.join(", ", names.subList(0, shown)) + (shown < names.size() ? " and " + (names.size() - shown) + " more" : "");
  }

  private static void copy(Contents c, List<TensorSpec> specs, float[] into, Set<String> expected,
      List<String> missing, List<String> shapes) {
    for (TensorSpec s : specs) {
      expected.add(s.name());
      Tensor t = c.find(s.name()).orElse(null);
      if (t == null) {
        missing.add(s.name());
      } else if (!Arrays.equals(t.shape(), s.shape())) {
        shapes.add(s.name() + " is " + Arrays.toString(t.shape()) + " in the file but "
            + Arrays.toString(s.shape()) + " in the network");
      } else {
        System.arraycopy(t.data(), t.offset(), into, s.offset(), s.size());
      }
    }
  }
}
