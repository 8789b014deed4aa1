// What one training step reports back to the training loop.
package dev.cnnc.runtime;

/**
 * @param lossSum summed (not averaged) cross-entropy over the batch, label smoothing included
 * @param correct how many images of the batch had the true label as their top logit
 */
public record StepResult(double lossSum, int correct) {}
