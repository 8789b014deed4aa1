// One layer on the way from the input to a point of the network, for explaining shapes.
package dev.cnnc.compiler.ops;

/** @param describe what the layer does, e.g. "pool k2 s2" */
public record Step(String layer, String describe, Shape out) {}
