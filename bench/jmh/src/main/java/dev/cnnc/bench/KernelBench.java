// JMH micro-benchmarks of the kernels the generated code spends its time in: the three GEMMs of a
// conv (forward, backward-data, backward-weights), an fc's, and pooling. For development only.
//
//   mvn -q -pl bench/jmh -am package -DskipTests
//   java --add-modules jdk.incubator.vector -jar bench/jmh/target/benchmarks.jar -f 1 -wi 3 -i 5
package dev.cnnc.bench;

import dev.cnnc.compiler.Frontend;
import dev.cnnc.compiler.Pipeline;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.emit.JavaBackend;
import dev.cnnc.runtime.cpu.CpuNetwork;
import dev.cnnc.runtime.cpu.Gemm;
import dev.cnnc.runtime.cpu.Shifts;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
    "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0", "-XX:PerMethodTrapLimit=1000000",
    "-XX:PerMethodRecompilationCutoff=1000000", "-XX:CompileCommand=quiet",
    "-XX:CompileCommand=inline,jdk/incubator/vector/*.*",
    "-XX:CompileCommand=inline,dev/cnnc/runtime/cpu/VectorGemm.load",
    "-XX:CompileCommand=inline,dev/cnnc/runtime/cpu/VectorGemm.put"})
public class KernelBench {
  /**
   * One image of a 3×3 conv as (output channels, input channels, output pixels): SimpleCNN's
   * conv1 and conv2, ResNet-20's three stages.
   */
  @Param({"16x3x1024", "32x16x256", "16x16x1024", "32x32x256", "64x64x64"})
  public String conv;

  /** fc as (batch, in, out): SimpleCNN's fc1 at batch 64. */
  @Param({"64x2048x512"})
  public String fc;

  private int co, k, p, rows, in, out, side, wide;
  private int[] colRows, shifts;
  private float[] w, col, y, dw, fx, fw, fy, poolIn, poolOut, padded, packed, yWide, dyWide;
  private CpuNetwork pool;

  @Setup
  public void setUp() {
    String[] c = conv.split("x");
    co = Integer.parseInt(c[0]);
    k = Integer.parseInt(c[1]) * 9;
    p = Integer.parseInt(c[2]);
    String[] f = fc.split("x");
    rows = Integer.parseInt(f[0]);
    in = Integer.parseInt(f[1]);
    out = Integer.parseInt(f[2]);
    w = random(co * k);
    col = random(k * p);
    y = random(co * p);
    dw = random(co * k);
    // the shifted form: one zero-bordered image, B's rows through the table of (ci, kh, kw) shifts
    side = (int) Math.round(Math.sqrt(p));
    wide = side * (side + 2);
    shifts = Shifts.of(k / 9, side + 2, side + 2, 3, 3, 1, 1);
    padded = random(k / 9 * (side + 2) * (side + 2) + 2);
    packed = new float[co * k];
    Gemm.pack(co, k, w, 0, k, 1, packed, 0);
    yWide = new float[co * wide];
    // dyᵀ (OH·Wp, CO) with two zero rows after the last, as the generated convs allocate it
    dyWide = java.util.Arrays.copyOf(random(wide * co), (wide + 2) * co);
    colRows = new int[k];
    for (int r = 0; r < k; r++) colRows[r] = r * p;
    fx = random(rows * in);
    fw = random(out * in);
    fy = random(rows * out);
    SourceFile spec = new SourceFile("pool.cnn", "network Pool { input 16x32x32 pool -> flatten }");
    pool = new JavaBackend(null).load(Pipeline.run(Frontend.check(spec).graph().orElseThrow()), spec, 64, 1);
    poolIn = random(64 * 16 * 32 * 32);
    poolOut = new float[64 * 16 * 16 * 16];
  }

  private static float[] random(int n) {
    SplittableRandom r = new SplittableRandom(n);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
    return a;
  }

  /** The shifted conv forward: yw (CO, OH·Wp) = w (CO, K) · the shifted views, w read in place. */
  @Benchmark
  public float[] convForwardShifted() {
    Gemm.mmRows(co, wide, k, w, 0, k, 1, padded, 0, shifts, yWide, 0, wide, false);
    return yWide;
  }

  /** The same product with w packed in 8-row panels (as the generated code does once per launch). */
  @Benchmark
  public float[] convForwardShiftedPacked() {
    Gemm.mmRowsPacked(co, wide, k, packed, 0, padded, 0, shifts, yWide, 0, wide, false);
    return yWide;
  }

  /** y (CO, P) = w (CO, K) · col (K, P). */
  @Benchmark
  public float[] convForward() {
    Gemm.mm(co, p, k, w, 0, k, 1, col, 0, p, y, 0, p, false);
    return y;
  }

  /** dcol (K, P) = wᵀ (K, CO) · dy (CO, P). */
  @Benchmark
  public float[] convBackwardData() {
    Gemm.mm(k, p, co, w, 0, 1, k, y, 0, p, col, 0, p, false);
    return col;
  }

  /** dw (CO, K) += dy (CO, P) · colᵀ (P, K). */
  @Benchmark
  public float[] convBackwardWeights() {
    Gemm.mmt(co, k, p, y, 0, p, col, 0, p, dw, 0, k, true);
    return dw;
  }

  /**
   * dwᵀ (K, CO) += col (K, P) · dyᵀ (P, CO), A's rows through a table: the form the generated
   * stride-1 convs use (no horizontal sums), here over col's rows instead of shifted views.
   */
  @Benchmark
  public float[] convBackwardWeightsTransposed() {
    Gemm.mmRowsA(k, co, p, col, 0, colRows, y, 0, co, dw, 0, co, true);
    return dw;
  }

  /**
   * dwᵀ (K, CO) += the shifted views (K, OH·Wp) · dyᵀ (OH·Wp, CO): what the generated stride-1 convs
   * run, where the three-tap runs and dyᵀ's two zero rows select the sliding-window kernels.
   */
  @Benchmark
  public float[] convBackwardWeightsShifted() {
    Gemm.mmRowsA(k, co, wide, padded, 0, shifts, dyWide, 0, co, dw, 0, co, true);
    return dw;
  }

  /** y (batch, out) = x (batch, in) · wᵀ. */
  @Benchmark
  public float[] fcForward() {
    Gemm.mmt(rows, out, in, fx, 0, in, fw, 0, in, fy, 0, out, false);
    return fy;
  }

  /** 2×2 max pooling of 64 images of 16×32×32, as generated. */
  @Benchmark
  public float[] pool() {
    pool.infer(poolIn, 64, poolOut);
    return poolOut;
  }
}
