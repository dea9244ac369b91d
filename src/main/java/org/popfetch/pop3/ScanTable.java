package org.popfetch.pop3;

import java.util.AbstractList;
import java.util.Arrays;

/**
 * A LIST listing, held compactly: each entry's message number and size as plain ints and longs, in
 * server order, the first of a repeated message number kept. It reads as a list of {@link
 * ScanListing}, each made on demand.
 */
public final class ScanTable extends AbstractList<ScanListing> {
  private final MessageNumbers numbers;
  private final long[] sizes;

  private ScanTable(MessageNumbers numbers, long[] sizes) {
    this.numbers = numbers;
    this.sizes = sizes;
  }

  /** An empty listing. */
  public static ScanTable empty() {
    return new Builder().build();
  }

  @Override
  public ScanListing get(int index) {
    return new ScanListing(numbers.get(index), sizes[index]);
  }

  @Override
  public int size() {
    return numbers.size();
  }

  /** The message number of the entry at {@code index}. */
  public int number(int index) {
    return numbers.get(index);
  }

  /** The size of the entry at {@code index}, as the server reports it. */
  public long octets(int index) {
    if (index >= numbers.size()) {
      throw new IndexOutOfBoundsException(index);
    }
    return sizes[index];
  }

  /** The sizes of all entries added up. */
  public long totalOctets() {
    long sum = 0;
    for (int i = 0; i < numbers.size(); i++) {
      sum += sizes[i];
    }
    return sum;
  }

  /** Collects entries as they are read; {@link #build()} drops repeated message numbers. */
  public static final class Builder {
    private final MessageNumbers numbers = new MessageNumbers();
    private long[] sizes = new long[16];

    public Builder add(int number, long size) {
      if (numbers.size() == sizes.length) {
        sizes = Arrays.copyOf(sizes, sizes.length + (sizes.length >> 1));
      }
      sizes[numbers.size()] = size;
      numbers.add(number);
      return this;
    }

    public int size() {
      return numbers.size();
    }

    public ScanTable build() {
      if (numbers.repeatsNone()) {
        return new ScanTable(numbers, sizes);
      }
      MessageNumbers keptNumbers = new MessageNumbers();
      int[] kept = numbers.firstOccurrences();
      long[] keptSizes = new long[Math.max(1, kept.length)];
      for (int k = 0; k < kept.length; k++) {
        keptNumbers.add(numbers.get(kept[k]));
        keptSizes[k] = sizes[kept[k]];
      }
      return new ScanTable(keptNumbers, keptSizes);
    }
  }
}
