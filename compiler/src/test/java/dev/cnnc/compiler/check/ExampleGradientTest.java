// Every example network: the generated Java against the reference on a small batch, and the
// reference against finite differences at sampled coordinates.
package dev.cnnc.compiler.check;

import dev.cnnc.compiler.diag.SourceFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ExampleGradientTest {
  static Stream<String> fdExamples() {
    return examples().filter(f -> !f.equals("resnet56.cnn"));
  }

  static Stream<String> examples() {
    return Stream.of("seed_simple_cnn.cnn", "lenet5.cnn", "vgg11.cnn", "resnet20.cnn", "resnet56.cnn", "airbench94.cnn");
  }

  /**
   * Float32 against double. In a deep ReLU network a pre-activation within float rounding of zero
   * can take the other branch, and batch norm spreads that one element's difference over its whole
   * channel and every layer below: ResNet-20 at batch 2 shows 1.5e-3 in every tensor under such a
   * flip, ResNet-56 1e-2 in one and 6e-3 over the whole gradient. Swapping relu for tanh makes both agree to 2e-6 (see
   * {@link #smoothResNetsMatchTightly}), so the flips are rounding, not wiring. Hence 5e-2 per
   * tensor and 1e-2 for the whole gradient here: a wiring or buffer-reuse bug is far larger.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void javaMatchesReference(String file) {
    new GradientCheck(Nets.example(file), 2, 0.1f).javaAgainstReference(2, 5e-2);
  }

  /** The residual wiring, fusion and buffer reuse of ResNet-20 with a smooth activation: no flips, tight tolerance. */
  @Test
  void smoothResNetsMatchTightly() {
    SourceFile resnet = Nets.example("resnet20.cnn");
    SourceFile smooth = new SourceFile("resnet20_tanh.cnn", resnet.text().replace("relu", "tanh"));
    new GradientCheck(smooth, 2, 0.1f).javaAgainstReference(2, GradientCheck.JAVA_TOLERANCE);
  }

  /**
   * Sampled coordinates: each costs two forward passes of the double-precision reference.
   * ResNet-56 is ResNet-20 with more of the same blocks; its gradients are checked against the
   * reference above.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fdExamples")
  void referenceMatchesFiniteDifferences(String file) {
    new GradientCheck(Nets.example(file), 2, 0.1f).step(1e-7).referenceAgainstFiniteDifferences(-4, 1);
  }
}
