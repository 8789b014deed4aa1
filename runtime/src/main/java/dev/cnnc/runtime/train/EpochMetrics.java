// What one epoch of training measured: one line of metrics.jsonl.
package dev.cnnc.runtime.train;

import com.google.gson.JsonObject;

/**
 * @param epoch counted from 1
 * @param lr the learning rate of the epoch's last step
 * @param imagesPerS training throughput (training steps only, not evaluation)
 * @param seconds wall time of the epoch, evaluation included
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAcc, double testLoss,
    double testAcc, double lr, double imagesPerS, double seconds) {

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("epoch", epoch);
    o.addProperty("train_loss", trainLoss);
    o.addProperty("train_acc", trainAcc);
    o.addProperty("test_loss", testLoss);
    o.addProperty("test_acc", testAcc);
    o.addProperty("lr", lr);
    o.addProperty("images_per_s", imagesPerS);
    o.addProperty("seconds", seconds);
    return o;
  }

  public static EpochMetrics fromJson(JsonObject o) {
    return new EpochMetrics(o.get("epoch").getAsInt(), o.get("train_loss").getAsDouble(),
        o.get("train_acc").getAsDouble(), o.get("test_loss").getAsDouble(),
        o.get("test_acc").getAsDouble(), o.get("lr").getAsDouble(),
        o.get("images_per_s").getAsDouble(), o.get("seconds").getAsDouble());
  }
}
