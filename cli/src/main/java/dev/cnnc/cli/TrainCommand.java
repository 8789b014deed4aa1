// `cnnc train FILE`: compile the network, find the data, train it, and print one JSON line of results.
package dev.cnnc.cli;

import dev.cnnc.runtime.Model;
import dev.cnnc.runtime.cpu.CpuNetwork;
import dev.cnnc.runtime.cpu.KernelJit;
import dev.cnnc.runtime.data.Cifar10;
import dev.cnnc.runtime.data.Dataset;
import dev.cnnc.runtime.io.AtomicFiles;
import dev.cnnc.runtime.train.Checkpoint;
import dev.cnnc.runtime.train.TrainConfig;
import dev.cnnc.runtime.train.TrainResult;
import dev.cnnc.runtime.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "train", sortOptions = false, description = {
    "Compile the network and train it on CIFAR-10.",
    "",
    "The spec's train section gives the defaults; flags override them. Progress goes to stderr; stdout"
        + " gets one JSON line at the end (test_acc, train_images_per_s, epochs, seconds, …).",
    "",
    "After every epoch the --out folder receives metrics.jsonl, weights.safetensors, state.safetensors"
        + " (for --resume) and curves.png, each written atomically: a killed run keeps its last epoch.",
    ""})
final class TrainCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "the spec file")
  Path file;

  @Option(names = "--epochs", paramLabel = "N", description = "total epochs (a resumed run counts those already done)")
  Integer epochs;

  @Option(names = "--batch", paramLabel = "N", description = "images per step")
  Integer batch;

  @Option(names = "--lr", paramLabel = "X", description = "base learning rate")
  Double lr;

  @Option(names = "--weight-decay", paramLabel = "X", description = "weight decay of the optimizer")
  Double weightDecay;

  @Option(names = "--label-smoothing", paramLabel = "X", description = "label smoothing epsilon, in [0, 1)")
  Double labelSmoothing;

  @Option(names = "--augment", paramLabel = "LIST", description = "none, or a list of crop, crop:PAD, flip (e.g. crop:4,flip)")
  String augment;

  @Option(names = "--seed", paramLabel = "N", description = "seeds initialisation, data order, augmentation and dropout")
  Long seed;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
      description = "train on the first N training images (default: all 50,000)")
  int limit;

  @Option(names = "--test-limit", paramLabel = "N", defaultValue = "0",
      description = "evaluate on the first N test images (default: all 10,000)")
  int testLimit;

  @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: the available processors)")
  Integer threads;

  @Option(names = "--backend", paramLabel = "B", defaultValue = "java",
      description = "java (generated code), cuda (generated CUDA, on an NVIDIA GPU) or reference (slow,"
          + " double precision) (default: ${DEFAULT-VALUE})")
  Models.Backend backend;

  @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: runs/<network>-<date>-<time>)")
  Path out;

  @Option(names = "--resume", description = "continue the run in --out from its last completed epoch")
  boolean resume;

  @Option(names = "--overwrite", description = "start afresh in an --out folder that already holds a run")
  boolean overwrite;

  @Option(names = "--strict", description = "treat warnings in the spec as errors")
  boolean strict;

  @Mixin DataOptions dataOptions;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    checkFlags();
    Specs.Checked checked = Specs.load(file, err, strict);
    Specs.requireClasses(checked, Cifar10.CLASSES);
    TrainConfig config = TrainPlan.resolve(checked.graph().train(), overrides(), checked.source().name())
        .withLimit(limit).withTestLimit(testLimit)
        .withThreads(threads != null ? threads : Runtime.getRuntime().availableProcessors())
        .withOut(out != null ? out : defaultOut(checked.graph().name()))
        .withResume(resume);
    checkOut(config.out());
    Path dataDir = dataOptions.locate(main.host, err);
    Dataset train = Cifar10.loadTrain(dataDir, config.limit());
    Dataset test = Cifar10.loadTest(dataDir, config.testLimit());
    Model model = Models.build(backend, checked, config.batch(), config.threads(), config.seed(), main.host);
    err.printf("training %s on %s%s: %s%n  %,d training and %,d test images from %s; writing to %s%n",
        model.name(), backend, threadsUsed(backend, config.threads()), TrainPlan.describe(config), train.size(),
        test.size(), dataDir, config.out());
    err.flush();
    TrainResult result = trainGuarded(model, config, train, test, err);
    spec.commandLine().getOut().println(result.toJsonLine());
    spec.commandLine().getOut().flush();
    return Main.OK;
  }

  /** " (2 threads)" for the Java backend; the interpreter runs on one, and the GPU's line names the GPU instead. */
  static String threadsUsed(Models.Backend backend, int threads) {
    return switch (backend) {
      case java -> " (" + threads + (threads == 1 ? " thread)" : " threads)");
      case reference -> " (1 thread)";
      case cuda -> "";
    };
  }

  private TrainPlan.Overrides overrides() {
    return new TrainPlan.Overrides(epochs, batch, lr, weightDecay, labelSmoothing, seed, augment);
  }

  private void checkFlags() {
    usage(epochs == null || epochs >= 1, "--epochs must be at least 1");
    usage(batch == null || batch >= 1, "--batch must be at least 1");
    usage(lr == null || (lr > 0 && Double.isFinite(lr)), "--lr must be a positive number");
    usage(weightDecay == null || (weightDecay >= 0 && Double.isFinite(weightDecay)), "--weight-decay must be ≥ 0");
    usage(labelSmoothing == null || (labelSmoothing >= 0 && labelSmoothing < 1), "--label-smoothing must be in [0, 1)");
    usage(limit >= 0 && testLimit >= 0, "--limit and --test-limit must be ≥ 0 (0 means all images)");
    usage(threads == null || threads >= 1, "--threads must be at least 1");
    usage(!resume || out != null, "--resume needs --out DIR, the folder of the run to continue");
    usage(!(resume && overwrite), "--resume and --overwrite contradict each other; choose one");
  }

  private static void usage(boolean ok, String message) {
    if (!ok) throw new Main.UserError(Main.USAGE, message);
  }

  /** runs/<network>-<yyyyMMdd-HHmmss>, with the name reduced to characters safe in any file system. */
  private static Path defaultOut(String network) {
    String safe = network.replaceAll("[^A-Za-z0-9_.-]", "_");
    return Path.of("runs", safe + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
  }

  /**
   * The output folder must be writable before minutes go into loading and compiling, and a fresh
   * run must not overwrite the checkpoints of an earlier one by accident. Leftover temporary files
   * from a write that was killed half-way are removed: they are never read.
   */
  private void checkOut(Path dir) {
    if (!resume && !overwrite && (Files.exists(dir.resolve(Checkpoint.STATE)) || Files.exists(dir.resolve(Checkpoint.WEIGHTS)))) {
      throw new Main.UserError(Main.FAILED, dir + " already holds a training run; continue it with --resume,"
          + " replace it with --overwrite, or choose another --out");
    }
    AtomicFiles.checkWritableDir(dir);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(TrainCommand::isInterruptedWrite).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      // Stray hidden files only cost disk space; the run itself will report an unwritable folder.
    }
  }

  /** AtomicFiles' temporaries: ".<target>.<random>.tmp" beside the target. */
  static boolean isInterruptedWrite(Path p) {
    String name = p.getFileName().toString();
    return name.startsWith(".") && name.endsWith(".tmp") && Stream.of(Checkpoint.STATE, Checkpoint.WEIGHTS,
        Trainer.METRICS, Trainer.CURVES).anyMatch(target -> name.startsWith("." + target + "."));
  }

  /** How long training runs before the JIT check: the kernels are compiled within seconds, and stay as compiled. */
  private static final long JIT_CHECK_MILLIS = Long.getLong("cnnc.jitCheckMillis", 60_000);

  /**
   * After a minute of training, warns if the JIT compiled a GEMM kernel without the Vector API's
   * intrinsics: the run would take ~15× as long, and a restart (--resume keeps finished epochs) fixes it.
   */
  private void checkJit(KernelJit jit, TrainConfig config, PrintWriter err) {
    try {
      Thread.sleep(JIT_CHECK_MILLIS);
    } catch (InterruptedException done) {
      return;
    }
    List<String> suspects = jit.suspects();
    if (suspects.isEmpty()) return;
    err.println();
    err.println("warning: " + KernelJit.describe(suspects) + ". Stop this run (Ctrl-C keeps every finished epoch)"
        + " and continue it with --out " + config.out() + " --resume (and the same flags): a new JVM almost always"
        + " compiles it well.");
    err.flush();
  }

  /**
   * Trains, telling an interrupted user (Ctrl-C, kill) what is safe on disk and how to continue;
   * running out of memory becomes a message about the batch size.
   */
  private TrainResult trainGuarded(Model model, TrainConfig config, Dataset train, Dataset test, PrintWriter err) {
    Thread hook = new Thread(() -> {
      err.println();
      err.println("cnnc: interrupted. " + (Files.exists(config.out().resolve(Checkpoint.STATE))
          ? "The checkpoint of the last completed epoch in " + config.out() + " is intact; continue with:\n  cnnc train "
              + file + " --out " + config.out() + " --resume (and the same flags)"
          : "No epoch had completed, so nothing was saved."));
      err.flush();
    });
    Runtime.getRuntime().addShutdownHook(hook);
    KernelJit jit = model instanceof CpuNetwork ? KernelJit.start() : null;
    Thread jitCheck = jit == null ? null : new Thread(() -> checkJit(jit, config, err), "cnnc-jit-check");
    if (jitCheck != null) {
      jitCheck.setDaemon(true);
      jitCheck.start();
    }
    try {
      return new Trainer(config, main.host.progress()).train(model, train, test);
    } catch (OutOfMemoryError e) {
      throw Models.outOfMemory(model.name(), config.batch());
    } finally {
      if (jit != null) {
        jitCheck.interrupt();
        jit.close();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to: it says what is saved
      }
    }
  }
}
