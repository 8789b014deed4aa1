// Every op, alone and fused: reference gradients against finite differences, and the generated
// Java's forward, gradients, running statistics and inference against the reference.
package dev.cnnc.compiler.check;

import dev.cnnc.compiler.diag.SourceFile;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OpGradientTest {
  /** Small networks, each exercising one op or one configuration of it. */
  static Stream<Arguments> nets() {
    return Stream.of(
        net("conv_padded", "input 2x6x5 conv(3, k3, p1) -> flatten -> fc(4)"),
        net("conv_stride_2", "input 2x7x7 conv(3, k3, s2, p1) -> flatten -> fc(3)"),
        net("conv_dilated", "input 2x8x7 conv(2, k3, d2, p1) -> flatten -> fc(3)"),
        net("conv_same_even_kernel", "input 2x5x6 conv(3, k2, same) -> flatten -> fc(3)"),
        net("conv_valid_stride_3", "input 1x8x8 conv(2, k3, s3, valid) -> flatten -> fc(3)"),
        // im2col convs with 256+ output pixels take dw transposed from the columns
        net("conv_im2col_wide_map", "input 3x17x16 conv(5, k3, p1) -> relu -> gap -> fc(3)"),
        net("conv_im2col_stride_2_wide_map", "input 4x34x33 conv(6, k3, s2, p1) -> gap -> fc(3)"),
        net("conv_pointwise_wide_map", "input 3x16x17 conv(4, k1) -> tanh -> gap -> fc(3)"),
        // im2col by plane shifts (stride 1, output rows as wide as input rows): dilated, 5×5 with
        // two wrapped columns a side, on the transposed weight gradient (75 taps, 16 outputs)
        net("conv_im2col_dilated_same", "input 3x18x17 conv(4, k3, d2, same) -> relu -> gap -> fc(3)"),
        net("conv_im2col_transposed_5x5", "input 3x16x17 conv(16, k5, p2) -> gap -> fc(3)"),
        net("conv_im2col_even_same", "input 3x9x8 conv(4, k2, same) -> tanh -> gap -> fc(3)"),
        // a one-row image: the first kernel row reads only padding, so im2col copies row by row
        net("conv_im2col_one_row", "input 2x1x70 conv(3, k3, p1) -> gap -> fc(3)"),
        // strided convs with 8+ input channels and wide enough maps read phase planes through the
        // row tables (stridedConvsThatShouldUsePhasePlanesDo checks that they do); maps under 64 output pixels
        // take the grouped im2col (groupedNets below)
        net("conv_phased_stride_2", "input 3x32x31 conv(8, k1) -> conv(5, k3, s2, p1) -> relu -> gap -> fc(3)"),
        net("conv_phased_stride_3_dilated", "input 2x20x100 conv(9, k1) -> conv(4, k3, s3, d2, p2) -> tanh -> gap -> fc(3)"),
        net("conv_phased_even_same", "input 2x32x32 conv(8, k1) -> tanh -> conv(3, k4, s2, same) -> tanh -> gap -> fc(3)"),
        net("conv_phased_valid_no_input_gradient", "input 8x33x34 conv(4, k3, s2, valid, nobias) -> gap -> fc(3)"),
        net("conv_strided_narrow_map", "input 3x9x10 conv(8, k1) -> conv(5, k3, s2, p1) -> relu -> flatten -> fc(3)"),
        net("conv_strided_1x1", "input 3x7x6 conv(8, k1) -> conv(6, k1, s2) -> flatten -> fc(3)"),
        // 8+ input channels take the per-tap GEMM path forward and backward
        net("conv_shifted_padded", "input 8x17x16 conv(3, k3, p1) -> relu -> gap -> fc(3)"),
        net("conv_shifted_dilated", "input 8x20x20 conv(2, k3, d2, p1) -> gap -> fc(3)"),
        net("conv_shifted_even_same", "input 8x20x17 conv(2, k2, same) -> tanh -> gap -> fc(3)"),
        net("conv_shifted_valid", "input 8x18x18 conv(8, k3) -> conv(2, k3, p1) -> gap -> fc(3)"),
        net("conv_shifted_small_map", "input 8x6x5 conv(3, k3, p1) -> flatten -> fc(3)"),
        net("conv_tiny_image_wide_padding", "input 2x1x3 conv(2, k5, p2) -> flatten -> fc(3)"),
        net("conv_stride_2_1x1", "input 3x5x5 conv(2, k1, s2) -> flatten -> fc(3)"),
        net("conv_nobias_1x1", "input 3x4x4 conv(2, k1, nobias) -> flatten -> fc(3)"),
        net("conv_relu", "input 2x6x6 conv(3, k3, p1) -> relu -> flatten -> fc(3)"),
        net("conv_leaky", "input 2x5x5 conv(3, k3) -> leaky_relu(0.2) -> flatten -> fc(3)"),
        net("conv_sigmoid", "input 2x5x5 conv(3, k3) -> sigmoid -> flatten -> fc(3)"),
        net("conv_tanh", "input 2x5x5 conv(3, k3) -> tanh -> flatten -> fc(3)"),
        net("conv_gelu", "input 2x5x5 conv(3, k3) -> gelu -> flatten -> fc(3)"),
        net("conv_leaky_steep", "input 2x5x5 conv(3, k3) -> leaky_relu(1.5) -> flatten -> fc(3)"),
        net("leaky_unfused", "input 2x5x5 conv(3, k3) -> bn -> leaky_relu(0.3) -> flatten -> fc(3)"),
        // gelu's input also read by the shortcut: one of the two adds into dx
        net("gelu_shared_input", "input 2x5x5 conv(3, k1) -> residual { gelu -> conv(3, k3, p1) } -> flatten -> fc(3)"),
        net("maxpool", "input 2x6x6 conv(2, k1) -> pool -> flatten -> fc(3)"),
        net("maxpool_overlapping_padded", "input 2x7x7 conv(2, k1) -> pool(k3, s2, p1) -> flatten -> fc(3)"),
        net("maxpool_non_tiling", "input 2x7x7 conv(2, k1) -> pool(k2) -> flatten -> fc(3)"),
        // max windows other than 2×2 stride 2 go by rows (row maxima, then over the window's rows):
        // edge columns on both sides, none in the middle, dilation, asymmetric padding, gaps, ReLU's ties
        net("maxpool_by_rows_edges", "input 2x9x8 conv(2, k1) -> pool(k3, s1, p1) -> flatten -> fc(3)"),
        net("maxpool_by_rows_no_inner_column", "input 2x3x2 conv(2, k1) -> pool(k3, s1, p1) -> flatten -> fc(3)"),
        net("maxpool_by_rows_dilated", "input 2x9x11 conv(2, k1) -> pool(k3, s2, d2, p2) -> flatten -> fc(3)"),
        net("maxpool_by_rows_even_same", "input 2x7x6 conv(2, k1) -> pool(k2, s1, same) -> flatten -> fc(3)"),
        net("maxpool_by_rows_gaps", "input 2x8x9 conv(2, k1) -> pool(k2, s3) -> flatten -> fc(3)"),
        net("maxpool_by_rows_wide", "input 2x6x12 conv(2, k1) -> pool(k4, s3, p2) -> flatten -> fc(3)"),
        net("maxpool_by_rows_relu_ties", "input 2x6x6 conv(2, k1) -> relu -> pool(k3, s2, p1) -> flatten -> fc(3)"),
        net("avgpool", "input 2x6x6 conv(2, k1) -> avgpool(k3, s1, p1) -> flatten -> fc(3)"),
        net("gap", "input 3x4x5 conv(4, k3, p1) -> gap -> fc(3)"),
        net("fc_chain", "input 2x3x3 flatten -> fc(7) -> relu -> fc(5, nobias) -> tanh -> fc(3)"),
        net("bn_map_relu", "input 2x5x5 conv(4, k3, p1, nobias) -> bn -> relu -> flatten -> fc(3)"),
        net("bn_flat", "input 2x3x3 flatten -> fc(6) -> bn -> sigmoid -> fc(3)"),
        net("bn_then_gelu", "input 2x4x4 conv(3, k3, p1) -> bn(eps: 1e-3, momentum: 0.3) -> gelu -> gap -> fc(3)"),
        net("dropout", "input 2x4x4 flatten -> fc(10) -> relu -> dropout(0.4) -> fc(3)"),
        net("softmax_inside", "input 2x3x3 flatten -> fc(5) -> softmax -> fc(3)"),
        net("softmax_last", "input 2x3x3 flatten -> fc(3) -> softmax"),
        net("residual_identity", "input 3x5x5 conv(4, k3, p1) -> residual { conv(4, k3, p1) -> relu -> conv(4, k3, p1) } -> relu -> gap -> fc(3)"),
        net("residual_projection", "input 3x6x6 conv(4, k3, p1) -> residual(projection) { conv(6, k3, s2, p1) -> bn -> relu -> conv(6, k3, p1) -> bn } -> relu -> gap -> fc(3)"),
        net("residual_zeropad", "input 3x6x6 conv(4, k3, p1) -> residual(zeropad) { conv(8, k3, s2, p1) -> bn -> relu -> conv(8, k3, p1) } -> relu -> gap -> fc(3)"),
        net("residual_zeropad_identity", "input 3x5x5 conv(4, k3, p1) -> residual(zeropad) { conv(4, k3, p1) -> relu } -> relu -> gap -> fc(3)"),
        net("residual_custom", "input 2x6x6 conv(3, k1) -> residual { conv(3, k3, p1) -> tanh } shortcut { avgpool(k3, s1, p1) } -> flatten -> fc(3)"),
        net("input_read_twice", "input 2x4x4 residual { conv(2, k3, p1) } -> relu -> flatten -> fc(3)"),
        // layers between the input and the first parameter: nothing before them needs a gradient
        net("input_activation", "input 2x5x5 tanh -> conv(3, k3, p1) -> relu -> flatten -> fc(3)"),
        net("input_dropout", "input 2x5x5 dropout(0.2) -> relu -> conv(3, k3) -> flatten -> fc(3)"),
        net("input_pools", "input 2x8x8 pool -> avgpool(k3, s1, p1) -> conv(3, k3, p1) -> flatten -> fc(3)"),
        net("input_batch_norm", "input 2x5x5 bn -> conv(3, k3, p1) -> flatten -> fc(3)"),
        net("input_residual_without_parameters", "input 2x5x5 residual { relu } shortcut { sigmoid } -> conv(3, k1) -> gap -> fc(3)"),
        net("input_gap_softmax", "input 3x4x4 gap -> softmax -> fc(3)"));
  }

  /**
   * Networks wide enough to reach every tile and tail of the GEMM micro-kernels (12 rows, 16-float
   * vectors): too many parameters to difference each one, so a sample of each tensor is checked.
   */
  static Stream<Arguments> wideNets() {
    return Stream.of(
        net("conv_shifted_many_channels", "input 10x9x7 conv(40, k3, p1, nobias) -> relu -> conv(20, k3, p1) -> gap -> fc(3)"),
        net("conv_shifted_wide_map_odd_channels", "input 12x18x17 conv(33, k3, p1) -> tanh -> gap -> fc(3)"),
        // K = 75 and 16 outputs: dwᵀ from the columns (with fewer outputs, dot products)
        net("conv_im2col_transposed_dw", "input 3x16x16 conv(16, k5, p2) -> tanh -> gap -> fc(3)"),
        // under 8 input channels, im2col with 256+ output pixels: an RGB input, then one with an input
        // gradient and 17 outputs (a vector and a column)
        net("conv_rgb_sliding_dw", "input 3x16x16 conv(16, k3, p1, nobias) -> tanh -> gap -> fc(3)"),
        net("conv_few_channels_sliding_dw", "input 2x16x17 conv(4, k1) -> tanh -> conv(17, k3, p1) -> tanh -> gap -> fc(3)"),
        // fc weights of 2^18 floats or more: threads split the features (uneven chunks of 257 outputs),
        // with a fused activation, a folded batch norm, and an input gradient added to the shortcut's
        net("fc_split_features", "input 4x16x16 conv(4, k1) -> flatten -> fc(257) -> relu -> fc(3)"),
        net("fc_split_features_bn", "input 4x16x16 flatten -> fc(257, nobias) -> bn -> tanh -> fc(3)"),
        net("fc_split_features_accumulates", "input 1x32x32 flatten -> residual { fc(256) -> gelu -> fc(1024) } -> fc(3)"));
  }


  /**
   * Convs whose output maps have fewer than 64 pixels compute G = ⌊256 / P⌋ images per product;
   * a batch of 37 cut into 8 chunks of 4–5 images gives groups of one image up to a whole chunk,
   * and the 7×9 map (G = 4) chunks of a full group and a partial one.
   */
  static Stream<Arguments> groupedNets() {
    return Stream.of(
        net("conv_grouped_2x2_map", "input 6x2x2 conv(5, k3, p1) -> relu -> conv(4, k3, p1, nobias) -> flatten -> fc(3)"),
        net("conv_grouped_strided_5x5", "input 3x9x9 conv(4, k3, s2, p1) -> tanh -> flatten -> fc(3)"),
        net("conv_grouped_dilated_7x9", "input 2x9x11 conv(3, k3, d2, p1) -> bn -> relu -> flatten -> fc(3)"),
        net("conv_grouped_pointwise", "input 4x3x3 conv(5, k1) -> sigmoid -> flatten -> fc(3)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("groupedNets")
  void groupedSmallMapsMatchTheReference(String name, String spec) {
    SourceFile file = new SourceFile(name + ".cnn", spec);
    String java = java(file);
    org.junit.jupiter.api.Assertions.assertTrue(java.contains("images at a time"), name + " should group images");
    new GradientCheck(file, 3, 0.1f).referenceAgainstFiniteDifferences(0, 12);
    GradientCheck check = new GradientCheck(file, 37, 0.1f);
    check.javaAgainstReference(1);
    check.javaAgainstReference(2);
    // 10 images in 8 chunks: groups of 1 or 2 images, products narrower than a vector
    new GradientCheck(file, 10, 0.1f).javaAgainstReference(2);
  }

  /**
   * At inference a residual add fuses into the conv before it: the conv's output loop adds the other
   * branch, then its bias, folded batch norm and activation. One net for each of the conv's Java
   * paths (im2col, pointwise, per-tap shifts, grouped small maps), a projection shortcut (the later
   * conv absorbs the add), one-node shortcuts scheduled after the branch, an add that ends the
   * network, a conv with nothing else to add, and two blocks in a row (the second reads the first's
   * fused conv).
   */
  static Stream<Arguments> residualFusions() {
    return Stream.of(
        net("fused_residual_im2col", "input 3x9x9 conv(4, k3, p1) -> residual { conv(4, k3, p1) -> bn -> relu -> conv(4, k3, p1, nobias) -> bn } -> relu -> gap -> fc(3)"),
        net("fused_residual_pointwise", "input 3x9x9 conv(4, k1) -> residual { conv(4, k1) } -> tanh -> gap -> fc(3)"),
        net("fused_residual_shifted", "input 3x9x8 conv(8, k3, p1) -> residual { conv(8, k3, p1) -> relu -> conv(8, k3, p1, nobias) -> bn } -> relu -> gap -> fc(3)"),
        net("fused_residual_grouped", "input 3x5x5 conv(4, k3, p1) -> residual { conv(4, k3, p1, nobias) -> bn } -> relu -> flatten -> fc(3)"),
        net("fused_residual_projection", "input 3x10x10 conv(4, k3, p1) -> residual(projection) { conv(6, k3, s2, p1) -> bn -> relu -> conv(6, k3, p1) -> bn } -> relu -> gap -> fc(3)"),
        // a zero-padded or pooled shortcut follows the branch in the graph: it moves before the branch's last conv
        net("fused_residual_zeropad", "input 3x10x10 conv(4, k3, p1) -> residual(zeropad) { conv(8, k3, s2, p1, nobias) -> bn -> relu -> conv(8, k3, p1, nobias) -> bn } -> relu -> gap -> fc(3)"),
        net("fused_residual_pooled_shortcut", "input 3x9x9 conv(4, k3, p1) -> residual { conv(4, k3, p1, nobias) -> bn } shortcut { avgpool(k3, s1, p1) } -> relu -> gap -> fc(3)"),
        net("fused_residual_at_the_end", "input 3x1x1 conv(5, k1) -> relu -> residual { conv(5, k1) } -> flatten"),
        net("fused_residual_bare", "input 3x9x9 conv(4, k3, p1) -> residual { conv(4, k3, p1, nobias) } -> gap -> fc(3)"),
        net("fused_residual_chain", "input 3x9x9 conv(8, k3, p1) -> residual { conv(8, k3, p1, nobias) -> bn } -> relu -> residual { conv(8, k3, p1, nobias) -> bn } -> relu -> gap -> fc(3)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("residualFusions")
  void fusedResidualAddsMatchTheReference(String name, String spec) {
    SourceFile file = new SourceFile(name + ".cnn", spec);
    org.junit.jupiter.api.Assertions.assertTrue(dev.cnnc.compiler.Pipeline.run(Nets.graph(file)).infer().nodes().stream()
        .noneMatch(n -> n.op() instanceof dev.cnnc.compiler.ops.Add), name + ": every add should fuse into a conv");
    org.junit.jupiter.api.Assertions.assertTrue(java(file).contains(" + sc["), name + ": no fused residual in the Java");
    new GradientCheck(file, 5, 0.1f).javaAgainstReference(1);
    new GradientCheck(file, 37, 0.1f).javaAgainstReference(2);
  }

  static Stream<Arguments> allNets() {
    return Stream.concat(nets(), wideNets());
  }

  /** The generated Java of {@code file}. */
  private static String java(SourceFile file) {
    return dev.cnnc.compiler.emit.JavaEmitter.emit(dev.cnnc.compiler.Pipeline.run(Nets.graph(file)), file).source();
  }

  private static Arguments net(String name, String body) {
    return Arguments.of(name, "network " + name + " { " + body + " }");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nets")
  void referenceMatchesFiniteDifferences(String name, String spec) {
    new GradientCheck(new SourceFile(name + ".cnn", spec), 3, 0.1f).referenceAgainstFiniteDifferences(0, 12);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wideNets")
  void wideReferenceMatchesFiniteDifferences(String name, String spec) {
    new GradientCheck(new SourceFile(name + ".cnn", spec), 2, 0.1f).referenceAgainstFiniteDifferences(16, 12);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allNets")
  void javaMatchesReference(String name, String spec) {
    GradientCheck check = new GradientCheck(new SourceFile(name + ".cnn", spec), 5, 0.1f);
    check.javaAgainstReference(1);
    check.javaAgainstReference(3);
  }

  @org.junit.jupiter.api.Test
  void largeFcsSplitFeaturesAndSmallOnesImages() {
    wideNets().filter(a -> a.get()[0].toString().startsWith("fc_split")).forEach(a -> {
      SourceFile file = new SourceFile(a.get()[0] + ".cnn", a.get()[1].toString());
      String java = java(file);
      // fc_split_features_bn's split fc reads the input: no input gradient, so no kernel over input features
      boolean dx = !a.get()[0].equals("fc_split_features_bn");
      org.junit.jupiter.api.Assertions.assertTrue(java.contains("threads split the output features")
          && java.contains("threads split the input features") == dx, a.get()[0] + " should split features");
      // the 3-way classifier (under 2^18 weights) splits images
      org.junit.jupiter.api.Assertions.assertTrue(java.contains("(N, 3); threads split the images"), a.get()[0] + "'s classifier");
    });
  }

  @org.junit.jupiter.api.Test
  void stridedConvsThatShouldUsePhasePlanesDo() {
    nets().map(a -> (String) a.get()[0]).filter(name -> name.startsWith("conv_phased") || name.startsWith("conv_strided"))
        .forEach(name -> {
          String spec = nets().filter(a -> a.get()[0].equals(name)).findFirst().orElseThrow().get()[1].toString();
          SourceFile file = new SourceFile(name + ".cnn", spec);
          String java = java(file);
          // narrow maps (and 1×1 convs with few channels) stay on im2col (grouped, under 64 output pixels)
          boolean phased = name.startsWith("conv_phased");
          org.junit.jupiter.api.Assertions.assertEquals(phased, java.contains("phase planes"),
              name + (phased ? " should read phase planes" : " should use im2col"));
        });
  }
}
