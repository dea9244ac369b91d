package org.popfetch.fetch;

import java.util.ArrayList;
import java.util.List;
import org.popfetch.fetch.Selection.Entry;

/** Messages staged at one destination, with the entries they came from, in step. */
final class Staging {
  final Destination where;
  final List<Entry> entries = new ArrayList<>();
  final List<Destination.Staged> staged = new ArrayList<>();

  Staging(Destination where) {
    this.where = where;
  }

  void add(Entry entry, Destination.Staged s) {
    entries.add(entry);
    staged.add(s);
  }

  boolean isEmpty() {
    return staged.isEmpty();
  }

  /** Discards the staged messages whose entries come at or after {@code from} in the batch. */
  void dropFrom(List<Entry> batch, int from) {
    List<Destination.Staged> dropped = new ArrayList<>();
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (batch.indexOf(entries.get(i)) >= from) {
        entries.remove(i);
        dropped.add(staged.remove(i));
      }
    }
    where.discard(dropped);
  }
}
