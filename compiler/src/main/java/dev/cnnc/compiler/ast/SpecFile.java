// A parsed .cnn file: every declaration, in source order.
package dev.cnnc.compiler.ast;

import java.util.List;

public record SpecFile(String file, List<Decl> decls) {
  public SpecFile {
    decls = List.copyOf(decls);
  }

  public List<Decl.Network> networks() {
    return decls.stream().filter(Decl.Network.class::isInstance).map(Decl.Network.class::cast)
        .toList();
  }

  public List<Decl.Block> blocks() {
    return decls.stream().filter(Decl.Block.class::isInstance).map(Decl.Block.class::cast)
        .toList();
  }

  public List<Decl.Train> trains() {
    return decls.stream().filter(Decl.Train.class::isInstance).map(Decl.Train.class::cast)
        .toList();
  }
}
