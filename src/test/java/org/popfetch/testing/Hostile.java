package org.popfetch.testing;

import java.util.Random;

/**
 * Generated hostile text for property tests: strings built from the pieces that break parsers and
 * line-based formats (line breaks, NUL, DEL, C1 and Unicode line separators, lone surrogates,
 * quotes, brackets, encoded-words, percent escapes, queue records) mixed with random characters,
 * plus {@link #forAll} to check a property on many of them.
 *
 * <p>Each run uses a fresh seed, printed when a case fails; {@code -Dpopfetch.seed=N} replays it.
 */
public final class Hostile {
  private static final String[] PIECES = {
    "<",
    ">",
    "<>",
    "\"",
    "(",
    ")",
    ",",
    ";",
    ":",
    "@",
    ".",
    "..",
    "[",
    "]",
    "\\",
    " ",
    "\t",
    "\r",
    "\n",
    "\r\n",
    "\r\n ",
    "\0",
    "\u0001",
    "\u001b[31m",
    "\u007f",
    "\u0085",
    "\u00a0",
    "\u2028",
    "\u2029",
    "\u200b",
    "\u202e",
    "\ud800",
    "\udc00",
    "\ud83d\udce7",
    "\u00e9",
    "\ufffd",
    "%",
    "%0A",
    "%2",
    "%41",
    "%zz",
    "=?utf-8?q?",
    "=?utf-8?b?",
    "?=",
    "=0A",
    "=0D=0A",
    "=40",
    "_",
    "a",
    "b",
    "bob",
    "alice",
    "victim",
    "example.org",
    "evil.example",
    "bob@example.org",
    "victim@evil.example",
    "<alice@example.org>",
    "Alice <a@x>",
    "E\n",
    "C PENDING ",
    "S ",
    "rcpt PENDING ",
    "sender ",
    "popfetch-queue 1\n",
    "popfetch-queue 2\n",
    "RCPT TO:<",
    "MAIL FROM:<"
  };

  private Hostile() {}

  /** A string of up to {@code maxPieces} pieces and random characters (any UTF-16 unit). */
  public static String string(Random r, int maxPieces) {
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(maxPieces + 1);
    for (int i = 0; i < n; i++) {
      switch (r.nextInt(4)) {
        case 0 -> sb.append((char) r.nextInt(0x80));
        case 1 -> sb.append((char) r.nextInt(0x10000));
        default -> sb.append(PIECES[r.nextInt(PIECES.length)]);
      }
    }
    return sb.toString();
  }

  /** A property checked on one generated case. */
  @FunctionalInterface
  public interface Property {
    void check(Random r) throws Exception;
  }

  /** Checks the property on {@code tries} cases, each from its own seed, named when it fails. */
  public static void forAll(int tries, Property property) {
    String fixed = System.getProperty("popfetch.seed");
    long base = fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
    for (int i = 0; i < (fixed != null ? 1 : tries); i++) {
      long seed = base + i;
      try {
        property.check(new Random(seed));
      } catch (Exception | AssertionError e) {
        throw new AssertionError(
            "fails for the case of seed "
                + seed
                + " (replay: -Dpopfetch.seed="
                + seed
                + "): "
                + e.getMessage(),
            e);
      }
    }
  }
}
