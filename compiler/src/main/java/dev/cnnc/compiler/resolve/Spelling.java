// "did you mean": the closest known word by edit distance.
package dev.cnnc.compiler.resolve;

import java.util.List;

public final class Spelling {
  private Spelling() {}

  /** The known word within a third of the length's edits of {@code word}, or null. */
  public static String nearest(String word, List<String> known) {
    String best = null;
    int bestDistance = Math.max(1, word.length() / 3) + 1;
    for (String k : known) {
      int d = distance(word.toLowerCase(), k.toLowerCase());
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best;
  }

  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
