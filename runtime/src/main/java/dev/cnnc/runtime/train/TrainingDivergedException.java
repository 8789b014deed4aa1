// The loss became NaN or infinite: the run stops, and says where and what is still safe on disk.
package dev.cnnc.runtime.train;

import dev.cnnc.runtime.CnncException;
import java.nio.file.Path;

public class TrainingDivergedException extends CnncException {
  private final int epoch;
  private final int step;

  /**
   * @param epoch epoch of the bad step, from 1
   * @param step step within that epoch, from 1
   * @param lastGoodEpoch the epoch whose checkpoint is on disk, 0 for none
   */
  public TrainingDivergedException(int epoch, int step, int steps, long globalStep, double loss,
      double lr, int lastGoodEpoch, Path out) {
    super(String.format("Training diverged: the loss became %s at epoch %d, step %d of %d (global"
            + " step %d, learning rate %.3g). %s Try a lower learning rate, a warm-up, or check the"
            + " input normalisation.",
        loss, epoch, step, steps, globalStep, lr,
        lastGoodEpoch == 0 ? "No epoch had completed, so no checkpoint was written."
            : "The checkpoint of epoch " + lastGoodEpoch + " in " + out + " is intact; --resume"
                + " continues from it."));
    this.epoch = epoch;
    this.step = step;
  }

  public int epoch() {
    return epoch;
  }

  public int step() {
    return step;
  }
}
