package org.popfetch.pop3;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Unique-ids held as bytes, compactly: a million of them cost their own bytes plus about 20 octets
 * each, where a list of Strings in a map costs some 150. UIDL listings and the seen-UID store's
 * rows are kept this way so that a mailbox at the listing caps fits the heap the service ships
 * with.
 *
 * <p>Each id is a string of ISO-8859-1 characters (one per octet, as the server sent them). The
 * bytes live in chunks that are never copied as the arena grows (no doubling peak); lookups by
 * value use a hash index built on first use and kept up to date by later additions.
 *
 * <p>Not thread-safe; one poll owns it.
 */
public final class UidArena {
  private static final int CHUNK_BITS = 20;
  private static final int MAX_CHUNK = 1 << CHUNK_BITS;
  private static final int FIRST_CHUNK = 4096;

  private byte[][] chunks = new byte[0][];
  private int chunkUsed;
  private int size;

  /** Per id: chunk number in the high bits, offset in the low {@link #CHUNK_BITS}. */
  private int[] starts = new int[16];

  private int[] lengths = new int[16];

  /** Open addressing: index+1 of the first id with those bytes, 0 for a free slot. */
  private int[] table;

  /** Per id that is the first of its value: how many more ids share it. Null until one does. */
  private int[] repeats;

  /** The number of ids added. */
  public int size() {
    return size;
  }

  /**
   * Adds an id; returns its index (ids are numbered 0, 1, ... in the order added).
   *
   * @throws IllegalArgumentException if it has a character above U+00FF or is over 1 MiB
   */
  public int add(CharSequence uid) {
    int len = uid.length();
    if (len > MAX_CHUNK) {
      throw new IllegalArgumentException("a unique-id of " + len + " characters");
    }
    byte[] chunk = room(len);
    int start = chunkUsed;
    for (int i = 0; i < len; i++) {
      char c = uid.charAt(i);
      if (c > 0xff) {
        throw new IllegalArgumentException(
            "a unique-id is octets (ISO-8859-1), not U+" + Integer.toHexString(c));
      }
      chunk[start + i] = (byte) c;
    }
    return append(start, len);
  }

  /** Adds an id given as its octets; returns its index. */
  public int add(byte[] uid) {
    if (uid.length > MAX_CHUNK) {
      throw new IllegalArgumentException("a unique-id of " + uid.length + " octets");
    }
    byte[] chunk = room(uid.length);
    int start = chunkUsed;
    System.arraycopy(uid, 0, chunk, start, uid.length);
    return append(start, uid.length);
  }

  /** The id at {@code index}, one char per octet. */
  public String get(int index) {
    check(index);
    int s = starts[index];
    return new String(
        chunks[s >>> CHUNK_BITS], s & (MAX_CHUNK - 1), lengths[index], StandardCharsets.ISO_8859_1);
  }

  /** The length of the id at {@code index}, in octets. */
  public int length(int index) {
    check(index);
    return lengths[index];
  }

  /** The octet at {@code at} of the id at {@code index}, 0..255. */
  public int octet(int index, int at) {
    int s = starts[index];
    return chunks[s >>> CHUNK_BITS][(s & (MAX_CHUNK - 1)) + at] & 0xff;
  }

  /** The index of the first id equal to {@code uid}, or -1. */
  public int indexOf(CharSequence uid) {
    index();
    int mask = table.length - 1;
    for (int slot = hash(uid) & mask; ; slot = (slot + 1) & mask) {
      int v = table[slot];
      if (v == 0) {
        return -1;
      }
      if (equal(v - 1, uid)) {
        return v - 1;
      }
    }
  }

  /**
   * The index of the first id here with the octets of {@code other}'s id at {@code index}, or -1:
   * one arena looked up in another without a String per id.
   */
  public int indexOf(UidArena other, int index) {
    other.check(index);
    index();
    int mask = table.length - 1;
    for (int slot = other.hash(index) & mask; ; slot = (slot + 1) & mask) {
      int v = table[slot];
      if (v == 0) {
        return -1;
      }
      if (sameAs(v - 1, other, index)) {
        return v - 1;
      }
    }
  }

  /** How many ids, this one included, have the same octets as the one at {@code index}. */
  public int occurrences(int index) {
    check(index);
    index();
    if (repeats == null) {
      return 1;
    }
    int mask = table.length - 1;
    for (int slot = hash(index) & mask; ; slot = (slot + 1) & mask) {
      int first = table[slot] - 1;
      if (same(first, index)) {
        return 1 + repeats[first];
      }
    }
  }

  /** Bytes held, for tests and logs: the octets and the per-id arrays. */
  public long footprint() {
    long n = 0;
    for (byte[] c : chunks) {
      n += c.length;
    }
    n += 4L * starts.length + 4L * lengths.length;
    n += table == null ? 0 : 4L * table.length;
    n += repeats == null ? 0 : 4L * repeats.length;
    return n;
  }

  /**
   * Gives back the room the last chunk keeps for ids not yet added, for an arena kept once filled
   * (a mailbox's seen ids between polls): chunks start at 4 KiB and double, so the twenty ids of a
   * small kept mailbox held 4 KiB where they need some 500 octets. Ids added later go to a new
   * chunk.
   */
  public void trim() {
    int last = chunks.length - 1;
    if (last >= 0 && chunkUsed < chunks[last].length) {
      chunks[last] = Arrays.copyOf(chunks[last], chunkUsed);
    }
  }

  private byte[] room(int len) {
    if (chunks.length == 0 || chunkUsed + len > chunks[chunks.length - 1].length) {
      // A trimmed chunk may be small: the next is never smaller than a first one.
      int last =
          chunks.length == 0
              ? FIRST_CHUNK / 2
              : Math.max(FIRST_CHUNK / 2, chunks[chunks.length - 1].length);
      int next = Math.max(Math.min(last * 2, MAX_CHUNK), len);
      if (chunks.length == (1 << (31 - CHUNK_BITS))) {
        throw new IllegalStateException("unique-ids over 2 GiB");
      }
      chunks = Arrays.copyOf(chunks, chunks.length + 1);
      chunks[chunks.length - 1] = new byte[next];
      chunkUsed = 0;
    }
    return chunks[chunks.length - 1];
  }

  private int append(int start, int len) {
    if (size == starts.length) {
      int grown = starts.length + (starts.length >> 1);
      starts = Arrays.copyOf(starts, grown);
      lengths = Arrays.copyOf(lengths, grown);
    }
    int index = size++;
    starts[index] = ((chunks.length - 1) << CHUNK_BITS) | start;
    lengths[index] = len;
    chunkUsed += len;
    if (table != null) {
      if (size * 2 > table.length) {
        table = null; // rebuilt larger on the next lookup
        repeats = null;
      } else {
        insert(index);
      }
    }
    return index;
  }

  private void index() {
    if (table != null) {
      return;
    }
    int capacity = Integer.highestOneBit(Math.max(16, size * 2 + 1)) << 1;
    table = new int[capacity];
    repeats = null;
    for (int i = 0; i < size; i++) {
      insert(i);
    }
  }

  private void insert(int index) {
    int mask = table.length - 1;
    for (int slot = hash(index) & mask; ; slot = (slot + 1) & mask) {
      int v = table[slot];
      if (v == 0) {
        table[slot] = index + 1;
        return;
      }
      if (same(v - 1, index)) {
        if (repeats == null) {
          repeats = new int[starts.length];
        } else if (repeats.length <= v - 1) {
          repeats = Arrays.copyOf(repeats, starts.length);
        }
        repeats[v - 1]++;
        return;
      }
    }
  }

  private int hash(int index) {
    int h = 0;
    int len = lengths[index];
    for (int i = 0; i < len; i++) {
      h = 31 * h + octet(index, i);
    }
    return mix(h);
  }

  private static int hash(CharSequence uid) {
    int h = 0;
    for (int i = 0; i < uid.length(); i++) {
      h = 31 * h + uid.charAt(i);
    }
    return mix(h);
  }

  private static int mix(int h) {
    h *= 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  private boolean same(int a, int b) {
    int len = lengths[a];
    if (len != lengths[b]) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (octet(a, i) != octet(b, i)) {
        return false;
      }
    }
    return true;
  }

  private boolean sameAs(int mine, UidArena other, int theirs) {
    int len = lengths[mine];
    if (len != other.lengths[theirs]) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (octet(mine, i) != other.octet(theirs, i)) {
        return false;
      }
    }
    return true;
  }

  private boolean equal(int index, CharSequence uid) {
    int len = lengths[index];
    if (len != uid.length()) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (octet(index, i) != uid.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private void check(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException(index);
    }
  }
}
