// Dropout's branch-free mask against the uniform numbers the reference and CUDA compare with p.
package dev.cnnc.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RngTest {
  @Test
  void theKeepMaskIsAllOnesExactlyWhereTheUniformNumberIsAtLeastP() {
    float[] ps = {0f, 1e-7f, 0.25f, 0.3f, 0.5f, 0.9f, 0.99999994f};
    for (float p : ps) {
      int threshold = Rng.threshold(p), kept = 0;
      for (long i = 0; i < 200_000; i++) {
        boolean keep = Rng.uniform(42, -498668048, i) >= p;
        assertEquals(keep ? -1 : 0, Rng.keepMask(42, -498668048, i, threshold), "p " + p + ", element " + i);
        if (keep) kept++;
      }
      assertEquals(1 - p, kept / 200_000.0, 0.005, "share kept at p " + p);
    }
    // a uniform number equal to p is kept (≥), one 2^-24 below is not
    assertEquals(8_388_608, Rng.threshold(0.5f));
    assertEquals(5_033_165, Rng.threshold(0.3f));
  }
}
