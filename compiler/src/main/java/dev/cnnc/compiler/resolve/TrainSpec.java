// The train section, checked: defaults for `cnnc train` that command-line flags override.
package dev.cnnc.compiler.resolve;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Every field is empty when the spec does not set it. */
public record TrainSpec(
    OptionalInt epochs,
    OptionalInt batch,
    Optional<Choice> optimizer,
    OptionalDouble lr,
    OptionalDouble weightDecay,
    Optional<Choice> schedule,
    OptionalDouble warmupEpochs,
    List<Choice> augment,
    OptionalDouble labelSmoothing,
    OptionalLong seed) {

  public static final TrainSpec EMPTY = new TrainSpec(OptionalInt.empty(), OptionalInt.empty(),
      Optional.empty(), OptionalDouble.empty(), OptionalDouble.empty(), Optional.empty(),
      OptionalDouble.empty(), List.of(), OptionalDouble.empty(), OptionalLong.empty());

  /** A named choice with numeric arguments: {@code sgd(lr: 0.01, momentum: 0.9)}. */
  public record Choice(String name, Map<String, Double> args) {
    public OptionalDouble arg(String key) {
      Double v = args.get(key);
      return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }
  }
}
