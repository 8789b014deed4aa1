// Text form of the IR for --dump-ir: one line per node, with its inputs, fusions and shape.
package dev.cnnc.compiler.ir;

public final class IrPrinter {
  private IrPrinter() {}

  public static String print(Graph g) {
    StringBuilder b = new StringBuilder();
    b.append("graph ").append(g.name()).append(" {\n");
    for (Node n : g.nodes()) {
      StringBuilder line = new StringBuilder("  %" + n.id() + " = " + n.op().describe());
      if (!n.inputs().isEmpty()) {
        line.append('(');
        for (int i = 0; i < n.inputs().size(); i++) line.append(i > 0 ? ", " : "").append('%').append(n.inputs().get(i));
        line.append(')');
      }
      if (n.fold() != null) line.append(" +fold(").append(n.fold().bnName()).append(')');
      if (n.residual()) line.append(" +add(%").append(n.inputs().get(1)).append(')');
      if (n.epilogue() != null) line.append(" +").append(n.epilogue().describe());
      b.append(String.format("%-64s # %s  %s%n", line, n.name(), n.output()));
    }
    return b.append("}\n").toString();
  }
}
