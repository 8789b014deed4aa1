// The training loop every backend shares: batches in, optimizer steps, evaluation, checkpoints, metrics.
package dev.cnnc.runtime.train;

import com.google.gson.GsonBuilder;
import dev.cnnc.runtime.CnncException;
import dev.cnnc.runtime.DeviceModel;
import dev.cnnc.runtime.Model;
import dev.cnnc.runtime.ProgressBars;
import dev.cnnc.runtime.StepResult;
import dev.cnnc.runtime.data.Augment;
import dev.cnnc.runtime.data.BatchLoader;
import dev.cnnc.runtime.data.Cifar10;
import dev.cnnc.runtime.data.Dataset;
import dev.cnnc.runtime.data.Normalizer;
import dev.cnnc.runtime.io.AtomicFiles;
import dev.cnnc.runtime.optim.Optimizer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;

/**
 * Trains a {@link Model}. Each epoch: shuffled batches from a background loader, one
 * {@code trainStep} and one optimizer step per batch at the scheduled learning rate, then test
 * evaluation, then — atomically, file by file — state.safetensors, weights.safetensors,
 * metrics.jsonl and curves.png in the output folder. Every random choice is a function of
 * (seed, epoch, step), so a run resumed from epoch e ends with the same bits as one that never
 * stopped. A {@link DeviceModel} (the CUDA backend) supplies its own optimizer, which updates the
 * parameters on the device; every other model is updated here, on its host arrays.
 */
public final class Trainer {
  public static final String METRICS = "metrics.jsonl";
  public static final String CURVES = "curves.png";
  /** How often the progress bar's loss/accuracy text is rebuilt (building it allocates). */
  private static final long MESSAGE_INTERVAL_NS = 250_000_000L;

  private final TrainConfig config;
  private final Normalizer normalizer;
  private final PrintStream console;

  /** @param console progress bar and per-epoch lines; null for a silent run */
  public Trainer(TrainConfig config, Normalizer normalizer, PrintStream console) {
    this.config = config;
    this.normalizer = normalizer;
    this.console = console;
  }

  public Trainer(TrainConfig config, PrintStream console) {
    this(config, Normalizer.CIFAR10, console);
  }

  /** Loads CIFAR-10 from {@code dataDir} with the configured limits and trains. */
  public TrainResult train(Model model, Path dataDir) {
    return train(model, Cifar10.loadTrain(dataDir, config.limit()),
        Cifar10.loadTest(dataDir, config.testLimit()));
  }

  public TrainResult train(Model model, Dataset train, Dataset test) {
    long started = System.nanoTime();
    checkModel(model, train);
    AtomicFiles.checkWritableDir(config.out());
    Optimizer optimizer = model instanceof DeviceModel d
        ? d.createOptimizer(config.optimizer())
        : config.optimizer().create(model.parameters(), model.parameterData().length);
    List<EpochMetrics> history = new ArrayList<>();
    int first = config.resume() ? resume(model, optimizer, train, history) : 0;
    long images = 0;
    double trainSeconds = 0;
    Augment augment = new Augment(config.cropPad(), config.flip());
    int evalBatch = Math.min(config.batch(), model.maxBatch());
    try (BatchLoader trainData = BatchLoader.training(train, config.batch(), model.minTrainBatch(), normalizer, augment,
            config.seed());
        BatchLoader testData = BatchLoader.evaluation(test, evalBatch, normalizer)) {
      noteLeftOut(model, trainData);
      for (int e = first; e < config.epochs(); e++) {
        long t0 = System.nanoTime();
        EpochTotals t = trainEpoch(model, optimizer, trainData, e, history.size());
        Evaluation ev = Evaluation.run(model, testData);
        EpochMetrics m = new EpochMetrics(e + 1, t.lossSum / t.images, (double) t.correct / t.images,
            ev.loss(), ev.accuracy(), t.lastLr, t.images / t.seconds, (System.nanoTime() - t0) / 1e9);
        history.add(m);
        images += t.images;
        trainSeconds += t.seconds;
        saveEpoch(model, optimizer, train.size(), history);
        report(m);
      }
    }
    return result(history, images, trainSeconds, (System.nanoTime() - started) / 1e9);
  }

  /** Running sums of one epoch. */
  private static final class EpochTotals {
    double lossSum;
    long correct;
    long images;
    double lastLr;
    double seconds;
  }

  private EpochTotals trainEpoch(Model model, Optimizer optimizer, BatchLoader data, int e, int epochsDone) {
    int steps = data.batchesPerEpoch();
    float[] params = model.parameterData();
    float[] grads = model.gradientData();
    float smoothing = (float) config.labelSmoothing();
    double baseLr = config.optimizer().lr();
    EpochTotals t = new EpochTotals();
    long t0 = System.nanoTime();
    try (BatchLoader.Epoch epoch = data.epoch(e);
        Progress progress = new Progress(console, "epoch " + (e + 1) + "/" + config.epochs(), data.imagesPerEpoch())) {
      for (BatchLoader.Batch b; (b = epoch.next()) != null; ) {
        long step = (long) e * steps + b.index();
        double lr = config.schedule().lr(baseLr, step, steps, config.epochs());
        StepResult r = model.trainStep(b.x, b.labels, b.n(), smoothing, stepSeed(step));
        if (!Double.isFinite(r.lossSum())) {
          throw new TrainingDivergedException(e + 1, b.index() + 1, steps, step, r.lossSum(), lr,
              epochsDone, config.out());
        }
        optimizer.step(params, grads, lr);
        t.lossSum += r.lossSum();
        t.correct += r.correct();
        t.images += b.n();
        t.lastLr = lr;
        progress.step(b.n(), t.lossSum / t.images, (double) t.correct / t.images);
      }
    }
    t.seconds = Math.max((System.nanoTime() - t0) / 1e9, 1e-9);
    return t;
  }

  /** The seed handed to the model for {@code step} (dropout masks): a function of (seed, step) only. */
  private long stepSeed(long step) {
    return Augment.mix(Augment.mix(config.seed()) + step);
  }

  /** State first: resuming reads only it, so it must never be older than the other files. */
  private void saveEpoch(Model model, Optimizer optimizer, int trainSize, List<EpochMetrics> history) {
    Path out = config.out();
    int done = history.get(history.size() - 1).epoch();
    Checkpoint.saveState(out.resolve(Checkpoint.STATE), model, optimizer,
        new Checkpoint.TrainState(done, config.seed(), config.batch(), trainSize, history));
    Checkpoint.saveWeights(out.resolve(Checkpoint.WEIGHTS), model, Map.of("epoch", Integer.toString(done)));
    StringBuilder lines = new StringBuilder();
    var gson = new GsonBuilder().serializeSpecialFloatingPointValues().create();
    for (EpochMetrics m : history) lines.append(gson.toJson(m.toJson())).append('\n');
    AtomicFiles.writeString(out.resolve(METRICS), lines.toString());
    writeCurves(history);
  }

  /**
   * A plot that cannot be drawn (no fonts on a bare server, no plotting library in a trimmed
   * runtime such as the GPU check's) must not cost a training run; it is said once, not each epoch.
   */
  private void writeCurves(List<EpochMetrics> history) {
    try {
      Curves.write(config.out().resolve(CURVES), history);
    } catch (RuntimeException | LinkageError | InternalError e) {
      if (console != null && !curvesWarned) console.println(curvesWarning(e));
      curvesWarned = true;
    }
  }

  private boolean curvesWarned;

  /** The warning for a plot that could not be drawn, in words rather than a class name. */
  static String curvesWarning(Throwable e) {
    String why = e instanceof NoClassDefFoundError && String.valueOf(e.getMessage()).contains("xchart")
        ? "the plotting library (org.knowm.xchart) is not on the class path"
        : String.valueOf(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
    return "warning: " + CURVES + " not drawn: " + why + "; " + METRICS + " has the same figures";
  }

  private int resume(Model model, Optimizer optimizer, Dataset train, List<EpochMetrics> history) {
    Path file = config.out().resolve(Checkpoint.STATE);
    if (!Files.isRegularFile(file)) {
      throw new CnncException("Nothing to resume: " + file + " does not exist. Run without --resume"
          + " to start afresh, or pass the --out folder of the run to continue.");
    }
    Checkpoint.TrainState s = Checkpoint.loadState(file, model, optimizer);
    if (s.seed() != config.seed() || s.batch() != config.batch() || s.trainSize() != train.size()) {
      throw new CnncException(String.format("Cannot resume %s exactly: it was trained with seed %d,"
              + " batch %d and %d training images; this run has seed %d, batch %d and %d. Use the"
              + " same values, or start afresh without --resume.", file, s.seed(), s.batch(),
          s.trainSize(), config.seed(), config.batch(), train.size()));
    }
    history.addAll(s.history());
    if (console != null) console.println("resuming after epoch " + s.epochsDone() + " from " + file);
    return s.epochsDone();
  }

  private void checkModel(Model model, Dataset train) {
    int[] want = {Dataset.CHANNELS, Dataset.HEIGHT, Dataset.WIDTH};
    if (!Arrays.equals(model.inputShape(), want)) {
      throw new CnncException("The network " + model.name() + " takes input "
          + Arrays.toString(model.inputShape()) + " but the data is " + Arrays.toString(want) + ".");
    }
    if (model.classes() != train.classNames().size()) {
      throw new CnncException("The network " + model.name() + " has " + model.classes()
          + " outputs but the data has " + train.classNames().size() + " classes.");
    }
    if (config.batch() > model.maxBatch()) {
      throw new CnncException("Batch " + config.batch() + " is larger than " + model.name()
          + " was built for (" + model.maxBatch() + ").");
    }
    if (config.batch() < model.minTrainBatch()) {
      throw new CnncException(model.trainBatchProblem(config.batch()) + ". Use --batch 2 or more.");
    }
    if (train.size() < model.minTrainBatch()) {
      throw new CnncException("One training image cannot train " + model.name() + ": " + model.oneImageProblem()
          + ". Train on 2 images or more (--limit).");
    }
  }

  /** A last image that no batch can take (batch 2, an odd image count, one-value batch norms) is said once. */
  private void noteLeftOut(Model model, BatchLoader data) {
    if (console == null || data.imagesPerEpoch() == data.data().size()) return;
    console.println("note: each epoch leaves out its last image (a different one each epoch, as the order is"
        + " shuffled): at batch " + config.batch() + " it would be a batch of one, and " + model.oneImageProblem());
  }

  private void report(EpochMetrics m) {
    if (console == null) return;
    console.printf("epoch %d/%d  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  lr %.3g  %.0f img/s  %.1f s%n",
        m.epoch(), config.epochs(), m.trainLoss(), 100 * m.trainAcc(), m.testLoss(), 100 * m.testAcc(),
        m.lr(), m.imagesPerS(), m.seconds());
  }

  private TrainResult result(List<EpochMetrics> history, long images, double trainSeconds, double seconds) {
    if (history.isEmpty()) throw new IllegalStateException("no epoch trained");
    EpochMetrics last = history.get(history.size() - 1);
    double speed = images > 0 ? images / trainSeconds : last.imagesPerS();
    return new TrainResult(last.epoch(), last.testAcc(), last.testLoss(), last.trainAcc(),
        last.trainLoss(), speed, seconds, config.out(), history);
  }

  /** The per-epoch progress bar; does nothing without a console. */
  private static final class Progress implements AutoCloseable {
    private final ProgressBar bar;
    private long lastMessage;

    Progress(PrintStream console, String task, long images) {
      bar = console == null ? null : ProgressBars.create(console, task, images, "img", 1);
    }

    void step(int images, double loss, double accuracy) {
      if (bar == null) return;
      bar.stepBy(images);
      long now = System.nanoTime();
      if (now - lastMessage > MESSAGE_INTERVAL_NS || bar.getCurrent() >= bar.getMax()) {
        bar.setExtraMessage(String.format(" loss %.4f acc %.1f%%", loss, 100 * accuracy));
        lastMessage = now;
      }
    }

    @Override
    public void close() {
      if (bar != null) bar.close();
    }
  }
}
