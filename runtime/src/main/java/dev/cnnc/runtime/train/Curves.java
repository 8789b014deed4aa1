// Draws curves.png: loss and accuracy per epoch, train and test, side by side.
package dev.cnnc.runtime.train;

import dev.cnnc.runtime.io.AtomicFiles;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Renders with XChart, headless: training often runs on machines with no display. */
final class Curves {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Curves() {}

  static void write(Path file, List<EpochMetrics> history) {
    int n = history.size();
    double[] epoch = new double[n], trainLoss = new double[n], testLoss = new double[n];
    double[] trainAcc = new double[n], testAcc = new double[n];
    for (int i = 0; i < n; i++) {
      EpochMetrics m = history.get(i);
      epoch[i] = m.epoch();
      trainLoss[i] = m.trainLoss();
      testLoss[i] = m.testLoss();
      trainAcc[i] = 100 * m.trainAcc();
      testAcc[i] = 100 * m.testAcc();
    }
    XYChart loss = chart("Loss", "cross-entropy");
    loss.addSeries("train", epoch, trainLoss);
    loss.addSeries("test", epoch, testLoss);
    XYChart acc = chart("Accuracy", "%");
    acc.addSeries("train", epoch, trainAcc);
    acc.addSeries("test", epoch, testAcc);
    AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(List.of(loss, acc), 1, 2, out,
        BitmapEncoder.BitmapFormat.PNG));
  }

  private static XYChart chart(String title, String yAxis) {
    XYChart c = new XYChartBuilder().width(560).height(400).title(title).xAxisTitle("epoch")
        .yAxisTitle(yAxis).build();
    c.getStyler().setXAxisDecimalPattern("#");
    return c;
  }
}
