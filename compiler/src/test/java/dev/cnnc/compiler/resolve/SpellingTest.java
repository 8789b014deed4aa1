// "did you mean": typical slips find the layer meant, unrelated words find nothing.
package dev.cnnc.compiler.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpellingTest {
  private static final List<String> LAYERS = List.of("conv", "pool", "avgpool", "gap", "fc", "flatten",
      "relu", "leaky_relu", "gelu", "sigmoid", "tanh", "bn", "dropout", "softmax");

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({
      "rleu, relu",        // two letters swapped
      "convv, conv",       // one letter doubled
      "Conv, conv",        // case
      "flaten, flatten",   // one letter dropped
      "dropuot, dropout",  // swap
      "sigmiod, sigmoid",  // swap
      "leakyrelu, leaky_relu"})
  void suggestsTheLayerMeant(String typed, String meant) {
    assertEquals(meant, Spelling.nearest(typed, LAYERS));
  }

  @ParameterizedTest(name = "{0} → nothing")
  @CsvSource({"transformer", "attention", "xyz"})
  void staysQuietForUnrelatedWords(String typed) {
    assertNull(Spelling.nearest(typed, LAYERS));
  }

  @ParameterizedTest(name = "distance({0}, {1}) = {2}")
  @CsvSource({"relu, relu, 0", "rleu, relu, 1", "conv, cnov, 1", "abc, '', 3", "kitten, sitting, 3"})
  void distanceCountsEdits(String a, String b, int d) {
    assertEquals(d, Spelling.distance(a, b));
  }
}
