// Checks learning-rate schedules at their key points: start, warm-up end, middle, end.
package dev.cnnc.runtime.optim;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ScheduleTest {
  static final double BASE = 0.1;
  static final int SPE = 100; // steps per epoch
  static final int EPOCHS = 10; // 1,000 steps

  static double lr(Schedule s, long step) {
    return s.lr(BASE, step, SPE, EPOCHS);
  }

  @Test
  void constant() {
    assertEquals(BASE, lr(Schedule.constant(), 0));
    assertEquals(BASE, lr(Schedule.constant(), 999));
  }

  @Test
  void stepDecaysOncePerBlockOfEpochs() {
    Schedule s = Schedule.step(3, 0.5);
    assertEquals(BASE, lr(s, 0), 1e-15);
    assertEquals(BASE, lr(s, 299), 1e-15); // still epoch 2
    assertEquals(BASE * 0.5, lr(s, 300), 1e-15);
    assertEquals(BASE * 0.125, lr(s, 999), 1e-15); // epoch 9
  }

  @Test
  void cosineStartsAtBaseHalvesInTheMiddleAndEndsAtTheMinimum() {
    assertEquals(BASE, lr(Schedule.cosine(), 0), 1e-15);
    assertEquals(BASE / 2, lr(Schedule.cosine(), 500), 1e-15);
    assertEquals(BASE * (1 + Math.cos(Math.PI * 0.25)) / 2, lr(Schedule.cosine(), 250), 1e-15);
    assertEquals(0, lr(Schedule.cosine(), 1000), 1e-15);
    Schedule floor = Schedule.cosine(0.01);
    assertEquals(0.01 + 0.09 / 2, lr(floor, 500), 1e-15);
    assertEquals(0.01, lr(floor, 1000), 1e-15);
  }

  @Test
  void warmUpRisesLinearlyThenHandsOver() {
    Schedule s = Schedule.cosine().withWarmUp(2); // 200 warm-up steps, then 800 of cosine
    assertEquals(BASE / 200, lr(s, 0), 1e-15);
    assertEquals(BASE / 2, lr(s, 99), 1e-15);
    assertEquals(BASE, lr(s, 199), 1e-15); // warm-up end
    assertEquals(BASE, lr(s, 200), 1e-15); // cosine start
    assertEquals(BASE / 2, lr(s, 600), 1e-15); // cosine middle: 200 + 800 / 2
    assertEquals(0, lr(s, 1000), 1e-15);
    assertEquals(BASE, lr(Schedule.constant().withWarmUp(0.5), 50), 1e-15);
  }

  @Test
  void oneCycleFollowsTorchDefaults() {
    Schedule s = Schedule.oneCycle();
    double initial = BASE / 25, min = initial / 1e4;
    double peak = 0.3 * 1000 - 1; // 299
    assertEquals(initial, lr(s, 0), 1e-15);
    assertEquals(BASE, lr(s, 299), 1e-15);
    assertEquals(initial + (BASE - initial) * (1 - Math.cos(Math.PI * 100 / peak)) / 2, lr(s, 100), 1e-15);
    assertEquals((BASE + min) / 2, lr(s, 649), 1e-15); // half-way down: 299 + (999 - 299) / 2
    assertEquals(min, lr(s, 999), 1e-18);
    assertEquals(min, lr(s, 5000), 1e-18, "past the end it stays at the minimum");
  }
}
