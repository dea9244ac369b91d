package org.popfetch.pop3;

import java.util.Arrays;

/**
 * The message numbers of a listing, in server order, as plain ints: which entries to keep when a
 * number repeats (the first), and where a number is. Servers list in ascending order, which costs
 * nothing extra; any other order costs one sorted array of longs.
 */
final class MessageNumbers {
  private int[] numbers = new int[16];
  private int size;
  private boolean ascending = true;

  /** (number << 32 | index), sorted; built on the first lookup of an unordered listing. */
  private long[] sorted;

  void add(int number) {
    if (size == numbers.length) {
      numbers = Arrays.copyOf(numbers, size + (size >> 1));
    }
    if (size > 0 && number <= numbers[size - 1]) {
      ascending = false;
    }
    numbers[size++] = number;
    sorted = null;
  }

  int size() {
    return size;
  }

  int get(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException(index);
    }
    return numbers[index];
  }

  /** The indices of the entries to keep, in order: all but the later ones of a repeated number. */
  int[] firstOccurrences() {
    if (ascending) {
      int[] all = new int[size];
      Arrays.setAll(all, i -> i);
      return all;
    }
    long[] s = sortedIndex();
    boolean[] drop = new boolean[size];
    for (int i = 1; i < s.length; i++) {
      if ((int) (s[i] >>> 32) == (int) (s[i - 1] >>> 32)) {
        drop[(int) s[i]] = true;
      }
    }
    int kept = 0;
    int[] out = new int[size];
    for (int i = 0; i < size; i++) {
      if (!drop[i]) {
        out[kept++] = i;
      }
    }
    return Arrays.copyOf(out, kept);
  }

  boolean repeatsNone() {
    return ascending;
  }

  /** The index of {@code number}, or -1 if it is not listed. */
  int indexOf(int number) {
    if (ascending) {
      int i = Arrays.binarySearch(numbers, 0, size, number);
      return i >= 0 ? i : -1;
    }
    long[] s = sortedIndex();
    int i = Arrays.binarySearch(s, (long) number << 32);
    int at = i >= 0 ? i : -i - 1;
    return at < s.length && (int) (s[at] >>> 32) == number ? (int) s[at] : -1;
  }

  private long[] sortedIndex() {
    if (sorted == null) {
      long[] s = new long[size];
      for (int i = 0; i < size; i++) {
        // Numbers are 1..Integer.MAX_VALUE, so the packed longs sort by number, then index.
        s[i] = ((long) numbers[i] << 32) | i;
      }
      Arrays.sort(s);
      sorted = s;
    }
    return sorted;
  }
}
