package org.popfetch.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.popfetch.fetch.SeenUids;
import org.popfetch.fetch.UidState;

/** A seen-UID row as both SQL stores keep it: the columns they select, and the entry they make. */
final class SeenUidRows {
  /** The columns, in the order {@link #add} reads them. */
  static final String COLUMNS = "uid, state, first_seen, size, attempts, last_error";

  private SeenUidRows() {}

  /**
   * Adds the entry of {@code rs}'s current row to {@code out}.
   *
   * @throws IllegalArgumentException if the row holds a state this version does not know
   */
  static void add(ResultSet rs, SeenUids out) throws SQLException {
    out.add(
        rs.getBytes(1),
        UidState.valueOf(rs.getString(2)),
        Instant.ofEpochMilli(rs.getLong(3)),
        rs.getLong(4),
        rs.getInt(5),
        rs.getString(6));
  }
}
