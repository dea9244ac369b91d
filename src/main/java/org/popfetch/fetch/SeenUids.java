package org.popfetch.fetch;

import java.time.Instant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.IntFunction;
import org.popfetch.pop3.UidArena;

/**
 * What the store remembers of one mailbox, held compactly: the ids as bytes in a {@link UidArena},
 * the rest in plain arrays, about 40 octets an entry besides the id where a map of records costs
 * some 200. A {@link SeenUid} is made on demand by {@link #get}. Read-only once loaded; {@link
 * #add} is for the store that fills it.
 */
public final class SeenUids extends AbstractMap<String, SeenUid> {
  private static final UidState[] STATES = UidState.values();

  private final UidArena uids = new UidArena();
  private byte[] states = new byte[16];
  private long[] firstSeen = new long[16];
  private long[] sizes = new long[16];
  private int[] attempts = new int[16];

  /** Null until an entry has a last error; most have none. */
  private String[] errors;

  /**
   * Adds a row; ids are unique in the store, so a repeated one is a caller's error.
   *
   * @param uid the id's octets as the server sent them
   */
  public void add(
      byte[] uid, UidState state, Instant first, long size, int failedAttempts, String lastError) {
    int i = uids.size();
    if (i == states.length) {
      int grown = i + (i >> 1);
      states = Arrays.copyOf(states, grown);
      firstSeen = Arrays.copyOf(firstSeen, grown);
      sizes = Arrays.copyOf(sizes, grown);
      attempts = Arrays.copyOf(attempts, grown);
      if (errors != null) {
        errors = Arrays.copyOf(errors, grown);
      }
    }
    uids.add(uid);
    states[i] = (byte) state.ordinal();
    firstSeen[i] = first.toEpochMilli();
    sizes[i] = size;
    attempts[i] = failedAttempts;
    if (lastError != null && !lastError.isEmpty()) {
      if (errors == null) {
        errors = new String[states.length];
      }
      errors[i] = lastError;
    }
  }

  @Override
  public int size() {
    return uids.size();
  }

  @Override
  public boolean containsKey(Object key) {
    return key instanceof String s && uids.indexOf(s) >= 0;
  }

  @Override
  public SeenUid get(Object key) {
    if (!(key instanceof String s)) {
      return null;
    }
    int i = uids.indexOf(s);
    return i < 0 ? null : entry(i, s);
  }

  @Override
  public Set<String> keySet() {
    return new View<>(uids::get) {
      @Override
      public boolean contains(Object o) {
        return containsKey(o);
      }
    };
  }

  @Override
  public Set<Entry<String, SeenUid>> entrySet() {
    return new View<>(
        i -> {
          String uid = uids.get(i);
          return new SimpleImmutableEntry<>(uid, entry(i, uid));
        });
  }

  private SeenUid entry(int i, String uid) {
    return new SeenUid(
        uid,
        STATES[states[i]],
        Instant.ofEpochMilli(firstSeen[i]),
        sizes[i],
        attempts[i],
        errors == null || errors[i] == null ? "" : errors[i]);
  }

  /** The entries in the order loaded, each made as it is reached. */
  private class View<T> extends AbstractSet<T> {
    private final IntFunction<T> make;

    View(IntFunction<T> make) {
      this.make = make;
    }

    @Override
    public Iterator<T> iterator() {
      return new Iterator<>() {
        private int next;

        @Override
        public boolean hasNext() {
          return next < uids.size();
        }

        @Override
        public T next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return make.apply(next++);
        }
      };
    }

    @Override
    public int size() {
      return uids.size();
    }
  }
}
