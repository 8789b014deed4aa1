// `cnnc predict FILE --weights W IMAGE…`: the most likely CIFAR-10 classes of each image, with probabilities.
package dev.cnnc.cli;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cnnc.runtime.Model;
import dev.cnnc.runtime.data.Cifar10;
import dev.cnnc.runtime.data.Dataset;
import dev.cnnc.runtime.data.Normalizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "predict", sortOptions = false, description = {
    "Classify PNG or JPEG images with trained weights.",
    "",
    "Each image is resized to 32×32 (area averaging to shrink, bilinear to grow) and normalised as in"
        + " training; the top classes are shown with their softmax probabilities.",
    ""})
final class PredictCommand implements Callable<Integer> {
  enum Format { text, json }

  /** CIFAR-10's classes in label order, as batches.meta.txt lists them; predicting needs no data set. */
  static final List<String> CLASS_NAMES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
      "horse", "ship", "truck");
  private static final int MAX_BATCH = 64;

  @ParentCommand Main main;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "the spec file the weights were trained with")
  Path file;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "IMAGE", description = "PNG or JPEG files, any size")
  List<Path> images;

  @Option(names = "--weights", required = true, paramLabel = "W", description = "a weights.safetensors from cnnc train")
  Path weights;

  @Option(names = "--top", paramLabel = "K", defaultValue = "3", description = "how many classes to show (default: ${DEFAULT-VALUE})")
  int top;

  @Option(names = "--format", defaultValue = "text", description = "text, or json (one line per image) (default: ${DEFAULT-VALUE})")
  Format format;

  @Option(names = "--backend", paramLabel = "B", defaultValue = "java", description = "java, cuda or reference (default: ${DEFAULT-VALUE})")
  Models.Backend backend;

  @Override
  public Integer call() {
    if (top < 1) throw new Main.UserError(Main.USAGE, "--top must be at least 1");
    PrintWriter err = spec.commandLine().getErr();
    Specs.Checked checked = Specs.load(file, err, false);
    Specs.requireClasses(checked, Cifar10.CLASSES);
    List<byte[]> pixels = new ArrayList<>();
    for (Path image : images) pixels.add(Images.read32(image)); // every image is checked before any work
    int batch = Math.min(MAX_BATCH, pixels.size());
    Model model = Models.build(backend, checked, batch, Math.min(batch, Runtime.getRuntime().availableProcessors()), 0,
        main.host);
    Models.loadWeights(weights, model);
    PrintWriter out = spec.commandLine().getOut();
    float[] x = new float[batch * Dataset.IMAGE_SIZE]; // (N, 3, 32, 32)
    float[] logits = new float[batch * Cifar10.CLASSES]; // (N, 10)
    for (int first = 0; first < pixels.size(); first += batch) {
      int n = Math.min(batch, pixels.size() - first);
      for (int i = 0; i < n; i++) Normalizer.CIFAR10.normalize(pixels.get(first + i), 0, x, i * Dataset.IMAGE_SIZE);
      model.infer(x, n, logits);
      for (int i = 0; i < n; i++) print(out, images.get(first + i), softmax(logits, i * Cifar10.CLASSES, Cifar10.CLASSES));
    }
    out.flush();
    return Main.OK;
  }

  private void print(PrintWriter out, Path image, double[] p) {
    List<Integer> order = new ArrayList<>();
    for (int c = 0; c < p.length; c++) order.add(c);
    order.sort((a, b) -> Double.compare(p[b], p[a]));
    List<Integer> best = order.subList(0, Math.min(top, p.length));
    if (format == Format.json) {
      JsonObject o = new JsonObject();
      o.addProperty("image", image.toString());
      o.addProperty("class", CLASS_NAMES.get(best.get(0)));
      o.addProperty("probability", p[best.get(0)]);
      JsonArray topK = new JsonArray();
      for (int c : best) {
        JsonObject t = new JsonObject();
        t.addProperty("class", CLASS_NAMES.get(c));
        t.addProperty("probability", p[c]);
        topK.add(t);
      }
      o.add("top", topK);
      out.println(new Gson().toJson(o));
      return;
    }
    StringBuilder line = new StringBuilder(image + ": " + percent(CLASS_NAMES.get(best.get(0)), p[best.get(0)]));
    for (int k = 1; k < best.size(); k++) {
      line.append(k == 1 ? "  (then " : ", ").append(percent(CLASS_NAMES.get(best.get(k)), p[best.get(k)]));
    }
    out.println(line.append(best.size() > 1 ? ")" : ""));
  }

  private static String percent(String name, double p) {
    return String.format("%s %.1f%%", name, 100 * p);
  }

  /** softmax(z[at .. at + k)) in double, shifted by the maximum so large logits cannot overflow. */
  static double[] softmax(float[] z, int at, int k) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < k; j++) max = Math.max(max, z[at + j]);
    double[] p = new double[k];
    double sum = 0;
    for (int j = 0; j < k; j++) sum += p[j] = Math.exp(z[at + j] - max);
    for (int j = 0; j < k; j++) p[j] /= sum;
    return p;
  }
}
