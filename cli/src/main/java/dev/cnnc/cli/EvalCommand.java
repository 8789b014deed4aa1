// `cnnc eval FILE --weights W`: test accuracy, per-class accuracy and the confusion matrix.
package dev.cnnc.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cnnc.runtime.Model;
import dev.cnnc.runtime.data.Cifar10;
import dev.cnnc.runtime.data.Dataset;
import dev.cnnc.runtime.data.Normalizer;
import dev.cnnc.runtime.train.Evaluation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "eval", sortOptions = false,
    description = "Test accuracy of trained weights, with per-class accuracy and the confusion matrix.")
final class EvalCommand implements Callable<Integer> {
  enum Format { text, json }

  @ParentCommand Main main;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "the spec file the weights were trained with")
  Path file;

  @Option(names = "--weights", required = true, paramLabel = "W", description = "a weights.safetensors from cnnc train")
  Path weights;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "the first N test images (default: all 10,000)")
  int limit;

  @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
  Format format;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "256", description = "images per forward pass (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: the available processors)")
  Integer threads;

  @Option(names = "--backend", paramLabel = "B", defaultValue = "java", description = "java, cuda or reference (default: ${DEFAULT-VALUE})")
  Models.Backend backend;

  @Mixin DataOptions dataOptions;

  @Override
  public Integer call() {
    if (limit < 0 || batch < 1 || (threads != null && threads < 1)) {
      throw new Main.UserError(Main.USAGE, "--limit must be ≥ 0, --batch and --threads at least 1");
    }
    PrintWriter err = spec.commandLine().getErr();
    Specs.Checked checked = Specs.load(file, err, false);
    Specs.requireClasses(checked, Cifar10.CLASSES);
    Path dataDir = dataOptions.locate(main.host, err);
    Dataset test = Cifar10.loadTest(dataDir, limit);
    int n = Math.min(batch, test.size());
    Model model = Models.build(backend, checked, n, threads != null ? threads : Runtime.getRuntime().availableProcessors(),
        0, main.host);
    Models.loadWeights(weights, model);
    Evaluation ev = Evaluation.run(model, test, Normalizer.CIFAR10, n);
    PrintWriter out = spec.commandLine().getOut();
    out.print(format == Format.json ? json(ev, test, model) + "\n" : ev.report(test.classNames()));
    out.flush();
    return Main.OK;
  }

  /** {"network", "weights", "test_acc", "test_loss", "correct", "total", "classes", "per_class", "confusion"}. */
  private String json(Evaluation ev, Dataset test, Model model) {
    JsonObject o = new JsonObject();
    o.addProperty("network", model.name());
    o.addProperty("weights", weights.toString());
    o.addProperty("test_acc", ev.accuracy());
    o.addProperty("test_loss", ev.loss());
    o.addProperty("correct", ev.correct());
    o.addProperty("total", ev.total());
    JsonArray classes = new JsonArray();
    test.classNames().forEach(classes::add);
    o.add("classes", classes);
    JsonArray perClass = new JsonArray();
    for (double a : ev.perClassAccuracy()) perClass.add(Double.isNaN(a) ? null : a);
    o.add("per_class_acc", perClass);
    JsonArray confusion = new JsonArray();
    for (int[] row : ev.confusion()) {
      JsonArray r = new JsonArray();
      for (int c : row) r.add(c);
      confusion.add(r);
    }
    o.add("confusion", confusion);
    return new GsonBuilder().serializeNulls().disableHtmlEscaping().create().toJson(o);
  }
}
