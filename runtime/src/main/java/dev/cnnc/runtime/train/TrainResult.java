// The outcome of a training run, printed by `cnnc train` as one JSON line.
package dev.cnnc.runtime.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;

/**
 * @param epochs epochs completed, including those of earlier runs this one resumed
 * @param trainImagesPerS training throughput of this run's epochs
 * @param seconds wall time of this run
 * @param history every epoch's metrics, first to last
 */
public record TrainResult(int epochs, double testAcc, double testLoss, double trainAcc,
    double trainLoss, double trainImagesPerS, double seconds, Path out, List<EpochMetrics> history) {
  public TrainResult {
    history = List.copyOf(history);
  }

  /** One line: {"test_acc":…,"train_images_per_s":…,"epochs":…,"seconds":…,…}. */
  public String toJsonLine() {
    JsonObject o = new JsonObject();
    o.addProperty("test_acc", testAcc);
    o.addProperty("train_images_per_s", trainImagesPerS);
    o.addProperty("epochs", epochs);
    o.addProperty("seconds", seconds);
    o.addProperty("test_loss", testLoss);
    o.addProperty("train_acc", trainAcc);
    o.addProperty("train_loss", trainLoss);
    o.addProperty("out", out.toString());
    return new GsonBuilder().serializeSpecialFloatingPointValues().disableHtmlEscaping().create().toJson(o);
  }
}
