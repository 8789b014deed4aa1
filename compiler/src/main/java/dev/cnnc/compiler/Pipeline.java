// The compiler's passes in order, one line each: the table of contents of the back end.
package dev.cnnc.compiler;

import dev.cnnc.compiler.ir.Graph;
import dev.cnnc.compiler.ir.IrPrinter;
import dev.cnnc.compiler.passes.BufferPlan;
import dev.cnnc.compiler.passes.BufferPlanning;
import dev.cnnc.compiler.passes.DropTrailingSoftmax;
import dev.cnnc.compiler.passes.FoldBatchNorm;
import dev.cnnc.compiler.passes.FuseActivations;
import dev.cnnc.compiler.passes.FuseResidualAdds;
import dev.cnnc.compiler.passes.RemoveDropout;
import dev.cnnc.compiler.passes.RemoveIdentityShortcuts;
import java.util.function.Consumer;

public final class Pipeline {
  /**
   * @param source the checked graph, as the spec wrote it (parameter layout and names come from it)
   * @param train the graph the training step runs
   * @param infer the graph inference runs
   */
  public record Compiled(Graph source, Graph train, Graph infer, BufferPlan plan) {}

  private Pipeline() {}

  public static Compiled run(Graph g) {
    return run(g, text -> {});
  }

  /** Runs every pass; {@code dump} receives the IR after each one (for --dump-ir). */
  public static Compiled run(Graph source, Consumer<String> dump) {
    Dump d = new Dump(dump);
    Graph semantic = d.after("drop-trailing-softmax", DropTrailingSoftmax.apply(source));
    semantic = d.after("remove-identity-shortcuts", RemoveIdentityShortcuts.apply(semantic));
    Graph train = d.after("fuse-activations [train]", FuseActivations.apply(semantic));
    Graph infer = d.after("remove-dropout [infer]", RemoveDropout.apply(semantic));
    infer = d.after("fold-batch-norm [infer]", FoldBatchNorm.apply(infer));
    infer = d.after("fuse-residual-adds [infer]", FuseResidualAdds.apply(infer));
    infer = d.after("fuse-activations [infer]", FuseActivations.apply(infer));
    BufferPlan plan = BufferPlanning.plan(train, infer);
    dump.accept("# after plan-buffers: " + plan.sizes().size() + " buffers, " + plan.totalPerImage()
        + " floats per image\n");
    return new Compiled(source, train, infer, plan);
  }

  private record Dump(Consumer<String> sink) {
    Graph after(String pass, Graph g) {
      sink.accept("# after " + pass + "\n" + IrPrinter.print(g));
      return g;
    }
  }
}
