// Differential tests on random networks (RandomNets), for combinations of ops, sizes and fusions no
// hand-written list covers: the generated Java against the reference interpreter, and on 1 and 3
// threads to the same bits; the reference against finite differences; the generated CUDA on the
// CPU emulator against the reference, and through nvcc. Seeded: a failure names its seed and
// prints its spec. A longer campaign: -Dcnnc.random.runs=2000 (-Dcnnc.random.seed=N for other
// seeds; -Dcnnc.random.cudaEvery, nvccEvery and fdEvery thin or thicken those checks).
package dev.cnnc.compiler.check;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cnnc.compiler.Frontend;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.diag.TextRenderer;
import dev.cnnc.compiler.ops.CudaGen.Convolutions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.AssertionFailedError;

class RandomNetworkTest {
  private static final long SEED = Long.getLong("cnnc.random.seed", 1);
  private static final int RUNS = Integer.getInteger("cnnc.random.runs", 100);
  /** Every this many networks also run as CUDA on the emulator (a C++ build each, ~seconds). */
  private static final int CUDA_EVERY = Integer.getInteger("cnnc.random.cudaEvery", 5);
  /** Every this many networks also compile their CUDA with nvcc (several seconds each). */
  private static final int NVCC_EVERY = Integer.getInteger("cnnc.random.nvccEvery", 10);
  /** Every this many networks also check the reference against finite differences. */
  private static final int FD_EVERY = Integer.getInteger("cnnc.random.fdEvery", 3);
  /**
   * Float32 and the double reference can fall on different sides of a relu or max-pool tie (see
   * CudaKernelsTest.SEEDS): a network passes when one of this many draws of parameters and data agrees.
   */
  private static final int DRAWS = 3;
  /**
   * Each gradient tensor's relative error (the whole gradient's is a fifth of it, 2e-4). Looser
   * than the hand-picked tests' 2e-4: a batch norm over a few values (a flat one at batch 2 or 3)
   * divides by a σ near its ε and so magnifies float32 rounding in every tensor before it to
   * 2–5e-4 in a 2,000-network campaign. A wrong index or a lost image is off by 1e-2 or more.
   */
  private static final double TENSOR_TOLERANCE = 1e-3;

  static SourceFile file(long seed) {
    return new SourceFile("random_" + seed + ".cnn", RandomNets.spec(seed));
  }

  static boolean checks(SourceFile f) {
    return Frontend.check(f).ok();
  }

  /**
   * The generator means every spec to check; the few that do not (a dilated window that misses a
   * one-pixel map: about 1 in 200) are skipped below.
   */
  @Test
  void nearlyEveryGeneratedSpecChecks() {
    List<String> rejected = new ArrayList<>();
    int total = Math.max(RUNS, 200);
    for (long s = SEED; s < SEED + total; s++) {
      SourceFile f = file(s);
      Frontend.Result r = Frontend.check(f);
      if (!r.ok()) rejected.add(f.text() + TextRenderer.render(f, r.diagnostics().sorted()));
    }
    assertTrue(rejected.size() <= total / 20, rejected.size() + " of " + total + " generated specs do not check; the first:\n"
        + (rejected.isEmpty() ? "" : rejected.get(0)));
  }

  @TestFactory
  Stream<DynamicTest> generatedJavaMatchesTheReference() {
    return LongStream.range(SEED, SEED + RUNS).mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
      SourceFile f = file(seed);
      assumeTrue(checks(f), "does not check");
      int batch = 2 + (int) Math.floorMod(seed * 7, 11); // 2 to 12 images in 8 chunks
      int threads = 1 + (int) Math.floorMod(seed, 3);
      agreeAtSomeDraw(f, draw -> new GradientCheck(f, batch, 0.1f).draw(draw).floorAtRms().javaAgainstReference(threads, TENSOR_TOLERANCE));
    }));
  }

  /**
   * The same bits on one thread and on three, after two SGD steps (as ThreadCountTest, for what a
   * hand-written net may not reach): a kernel whose chunks race, or whose sums follow the threads
   * rather than the chunks, breaks bit-for-bit resume on another machine.
   */
  @TestFactory
  Stream<DynamicTest> oneAndThreeThreadsGiveTheSameBits() {
    return LongStream.range(SEED, SEED + RUNS).filter(s -> s % 2 == 0)
        .mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
          SourceFile f = file(seed);
          assumeTrue(checks(f), "does not check");
          var graph = Nets.graph(f);
          int batch = 3 + (int) Math.floorMod(seed * 5, 11);
          float[] x = Nets.randomFloats(batch * (int) graph.input().size(), seed, 1.0);
          int[] labels = Nets.labels(batch, graph.output().output().channels(), seed + 1);
          var one = ThreadCountTest.train(graph, f, 1, batch, x, labels, 2, 0.1f, seed);
          var three = ThreadCountTest.train(graph, f, 3, batch, x, labels, 2, 0.1f, seed);
          org.junit.jupiter.api.Assertions.assertArrayEquals(one.params(), three.params(), f.name() + ": parameters\n" + f.text());
          org.junit.jupiter.api.Assertions.assertArrayEquals(one.buffers(), three.buffers(), f.name() + ": running statistics\n" + f.text());
          org.junit.jupiter.api.Assertions.assertArrayEquals(one.logits(), three.logits(), f.name() + ": logits\n" + f.text());
        }));
  }

  /** The reference is the oracle above: its gradients against finite differences, on a sample of parameters. */
  @TestFactory
  Stream<DynamicTest> referenceMatchesFiniteDifferences() {
    return LongStream.range(SEED, SEED + RUNS).filter(s -> s % FD_EVERY == 0)
        .mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
          SourceFile f = file(seed);
          assumeTrue(checks(f), "does not check");
          int batch = 1 + (int) Math.floorMod(seed * 5, 4);
          // a small step: a deep random net has many relu and max-pool kinks near its activations
          // (seed 63 disagreed by 3e-3 at h = 1e-5 and agreed at 1e-6 and 1e-7)
          agreeAtSomeDraw(f, draw -> new GradientCheck(f, batch, 0.1f).step(1e-6).draw(draw).referenceAgainstFiniteDifferences(-24, 6));
        }));
  }

  @TestFactory
  Stream<DynamicTest> generatedCudaMatchesTheReferenceOnTheEmulator() {
    return LongStream.range(SEED, SEED + RUNS).filter(s -> s % CUDA_EVERY == 0)
        .mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
          assumeTrue(CudaEmulator.compiler() != null, "no C++ compiler on the PATH to emulate the kernels");
          SourceFile f = file(seed);
          assumeTrue(checks(f), "does not check");
          // each way of computing convs in turn; AUTO mixes them in one network
          Convolutions conv = Convolutions.values()[(int) Math.floorMod(seed / CUDA_EVERY, Convolutions.values().length)];
          agreeAtSomeDraw(f, draw -> {
            List<String> problems = new ArrayList<>();
            double worst = CudaKernelsTest.compareWithReference(f, conv, 4, 5, draw, problems);
            if (!(worst <= TENSOR_TOLERANCE)) {
              throw new AssertionFailedError(conv + ", largest error " + worst + ":\n  " + String.join("\n  ", problems));
            }
          });
        }));
  }

  /**
   * The CUDA of every tenth network (each way of computing convs in turn) compiles with nvcc for
   * Hopper, where nvcc is installed: the emulator compiles it as C++, which accepts what nvcc might
   * not, and no GPU has run it yet.
   */
  @TestFactory
  Stream<DynamicTest> generatedCudaCompilesWithNvcc() {
    return LongStream.range(SEED, SEED + RUNS).filter(s -> s % NVCC_EVERY == 0)
        .mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
          java.nio.file.Path nvcc = dev.cnnc.runtime.cuda.CudaCompiler.findNvcc();
          assumeTrue(nvcc != null, "nvcc is not installed");
          SourceFile f = file(seed);
          assumeTrue(checks(f), "does not check");
          Convolutions conv = Convolutions.values()[(int) Math.floorMod(seed / NVCC_EVERY, Convolutions.values().length)];
          var out = dev.cnnc.compiler.emit.CudaEmitter.emit(dev.cnnc.compiler.Pipeline.run(Nets.graph(f)), f, conv);
          byte[] cubin = dev.cnnc.runtime.cuda.CudaCompiler.nvcc(nvcc, out.source(), out.fileName(), "sm_90");
          assertTrue(cubin.length > 1000 && cubin[0] == 0x7f && cubin[1] == 'E', f.name() + ": not an ELF cubin\n" + f.text());
        }));
  }

  private interface Draw {
    void check(long draw);
  }

  private static void agreeAtSomeDraw(SourceFile f, Draw check) {
    AssertionFailedError first = null;
    boolean constant = true;
    for (long draw = 0; draw < DRAWS; draw++) {
      try {
        check.check(draw);
        if (first != null) System.out.printf("%s agrees at draw %d; at draw 0: %s%n", f.name(), draw, first.getMessage());
        return;
      } catch (AssertionFailedError e) {
        if (first == null) first = e;
        constant &= String.valueOf(e.getMessage()).contains("would prove nothing");
      }
    }
    // a random network can squash its input away (a chain of sigmoids and softmaxes): nothing to compare
    assumeTrue(!constant, f.name() + ": the logits do not depend on the input at any draw");
    fail(f.name() + " disagrees with the reference at every draw; at the first: " + first.getMessage() + "\n" + f.text(),
        first);
  }
}
