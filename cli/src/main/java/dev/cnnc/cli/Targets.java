// The code generators `cnnc compile` can call, by target name. Adding a target is one case here.
package dev.cnnc.cli;

import dev.cnnc.compiler.Pipeline;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.compiler.emit.CudaEmitter;
import dev.cnnc.compiler.emit.JavaEmitter;
import java.util.List;

final class Targets {
  /** Every target this build can generate, in the order help lists them. */
  static final List<String> SUPPORTED = List.of("java", "cuda");

  private Targets() {}

  /** Fails with a usage error naming the supported targets unless this build has {@code target}. */
  static void require(String target) {
    if (!SUPPORTED.contains(target)) throw unknown(target);
  }

  /** One generated file, its path relative to the output folder. */
  record GeneratedFile(String path, String text) {}

  /** The files for {@code target}; a target this build lacks is a usage error naming those it has. */
  static List<GeneratedFile> generate(String target, Pipeline.Compiled compiled, SourceFile spec, String packageName) {
    return switch (target) {
      case "java" -> {
        JavaEmitter.Output out = JavaEmitter.emit(compiled, spec, packageName);
        yield List.of(new GeneratedFile(out.packageName().replace('.', '/') + "/" + out.className() + ".java",
            out.source()));
      }
      case "cuda" -> {
        CudaEmitter.Output out = CudaEmitter.emit(compiled, spec);
        yield List.of(new GeneratedFile(out.fileName(), out.source()), new GeneratedFile(out.planFileName(), out.hostPlan()));
      }
      default -> throw unknown(target);
    };
  }

  private static Main.UserError unknown(String target) {
    return new Main.UserError(Main.USAGE, "unknown --target '" + target + "'; this build supports: "
        + String.join(", ", SUPPORTED));
  }
}
