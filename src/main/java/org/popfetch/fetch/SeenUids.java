package org.popfetch.fetch;

import java.time.Instant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.IntFunction;
import org.popfetch.pop3.UidArena;
import org.popfetch.pop3.UidTable;

/**
 * What the store remembers of one mailbox, held compactly: the ids as bytes in a {@link UidArena},
 * the rest in plain arrays, about 40 octets an entry besides the id where a map of records costs
 * some 200. A {@link SeenUid} is made on demand by {@link #get}. Read-only once loaded; {@link
 * #add} is for the store that fills it. A store that keeps one between polls makes the next from it
 * with {@link #recording} or {@link #forgetting} and shares it between threads only after {@link
 * #indexed}.
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
    room(i);
    uids.add(uid);
    set(i, state, first.toEpochMilli(), size, failedAttempts, lastError);
  }

  /** Adds a row whose id is given as chars, one per octet. */
  private void add(String uid, UidState state, long first, long size, int failed, String error) {
    int i = uids.size();
    room(i);
    uids.add(uid);
    set(i, state, first, size, failed, error);
  }

  private void room(int i) {
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
  }

  private void set(int i, UidState state, long first, long size, int failed, String error) {
    states[i] = (byte) state.ordinal();
    firstSeen[i] = first;
    sizes[i] = size;
    attempts[i] = failed;
    if (error != null && !error.isEmpty()) {
      if (errors == null) {
        errors = new String[states.length];
      }
      errors[i] = error;
    }
  }

  /**
   * A new map: this one after {@link SeenUidStore#record}: each entry replaces the one of its id
   * (the last of several with one id wins, as an insert-or-replace does) or is added after the
   * others. This map is not changed.
   *
   * @throws IllegalArgumentException if an id is not octets (a char above U+00FF)
   */
  public SeenUids recording(Collection<SeenUid> entries) {
    return with(entries, Set.of());
  }

  /**
   * A new map: this one after {@link SeenUidStore#forget}, without these ids. This map is not
   * changed.
   */
  public SeenUids forgetting(Collection<String> ids) {
    return with(List.of(), new HashSet<>(ids));
  }

  private SeenUids with(Collection<SeenUid> put, Set<String> gone) {
    Map<String, SeenUid> replacing = new LinkedHashMap<>();
    for (SeenUid e : put) {
      replacing.put(e.uid(), e);
    }
    SeenUids out = new SeenUids();
    for (int i = 0; i < uids.size(); i++) {
      String uid = uids.get(i);
      SeenUid r = replacing.remove(uid);
      if (gone.contains(uid)) {
        continue;
      }
      if (r != null) {
        out.add(r);
      } else {
        out.add(uid, STATES[states[i]], firstSeen[i], sizes[i], attempts[i], error(i));
      }
    }
    for (SeenUid r : replacing.values()) {
      if (!gone.contains(r.uid())) {
        out.add(r);
      }
    }
    return out;
  }

  private void add(SeenUid e) {
    add(e.uid(), e.state(), e.firstSeen().toEpochMilli(), e.size(), e.attempts(), e.lastError());
  }

  /**
   * The ids the listing does not have, in the order loaded: the entries for messages gone from the
   * server. The ids are compared as octets; a String is made only for each one gone.
   */
  public List<String> absentFrom(UidTable listing) {
    List<String> gone = new ArrayList<>();
    for (int i = 0; i < uids.size(); i++) {
      if (!listing.lists(uids, i)) {
        gone.add(uids.get(i));
      }
    }
    return gone;
  }

  /**
   * Builds the lookup index now rather than at the first lookup, so that once this map is handed to
   * other threads through a lock (a store keeping it between polls) their lookups only read it; and
   * gives back the room kept for more ids, which a map kept that way does not get.
   *
   * @return this map
   */
  public SeenUids indexed() {
    uids.trim();
    uids.indexOf("");
    return this;
  }

  /** Octets held by the ids and their index, for tests and logs. */
  public long idFootprint() {
    return uids.footprint();
  }

  private String error(int i) {
    return errors == null || errors[i] == null ? "" : errors[i];
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
        error(i));
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
