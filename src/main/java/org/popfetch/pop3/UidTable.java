package org.popfetch.pop3;

import java.util.AbstractList;

/**
 * A UIDL listing, held compactly (see {@link UidArena}): each entry's message number and unique-id,
 * in server order, the first of a repeated message number kept. It reads as a list of {@link
 * UidListing}, each made on demand; the poll itself uses the indexed accessors.
 */
public final class UidTable extends AbstractList<UidListing> {
  private final MessageNumbers numbers;
  private final UidArena uids;

  private UidTable(MessageNumbers numbers, UidArena uids) {
    this.numbers = numbers;
    this.uids = uids;
  }

  /** An empty listing. */
  public static UidTable empty() {
    return new Builder().build();
  }

  @Override
  public UidListing get(int index) {
    return new UidListing(numbers.get(index), uids.get(index));
  }

  @Override
  public int size() {
    return numbers.size();
  }

  /** The message number of the entry at {@code index}. */
  public int number(int index) {
    return numbers.get(index);
  }

  /** The unique-id of the entry at {@code index}. */
  public String uid(int index) {
    return uids.get(index);
  }

  /** The unique-id's length in octets, without making it a String. */
  public int uidLength(int index) {
    return uids.length(index);
  }

  /** How many entries of the listing have the same unique-id as this one (1 if it is unique). */
  public int occurrences(int index) {
    return uids.occurrences(index);
  }

  /** The index of the entry for message {@code number}, or -1 if the listing has none. */
  public int indexOfNumber(int number) {
    return numbers.indexOf(number);
  }

  /** Whether some entry has this unique-id. */
  public boolean lists(String uid) {
    return uids.indexOf(uid) >= 0;
  }

  /** Whether some entry has the unique-id that {@code other} holds at {@code index}. */
  public boolean lists(UidArena other, int index) {
    return uids.indexOf(other, index) >= 0;
  }

  /** Bytes held, for tests: the ids and the per-entry arrays. */
  public long footprint() {
    return uids.footprint() + 4L * numbers.size();
  }

  /** Collects entries as they are read; {@link #build()} drops repeated message numbers. */
  public static final class Builder {
    private final MessageNumbers numbers = new MessageNumbers();
    private final UidArena uids = new UidArena();

    public Builder add(int number, CharSequence uid) {
      numbers.add(number);
      uids.add(uid);
      return this;
    }

    public int size() {
      return numbers.size();
    }

    public UidTable build() {
      if (numbers.repeatsNone()) {
        return new UidTable(numbers, uids);
      }
      MessageNumbers keptNumbers = new MessageNumbers();
      UidArena keptUids = new UidArena();
      for (int i : numbers.firstOccurrences()) {
        keptNumbers.add(numbers.get(i));
        keptUids.add(uids.get(i));
      }
      return new UidTable(keptNumbers, keptUids);
    }
  }
}
