package org.popfetch.store;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.ListingMark;
import org.popfetch.fetch.SeenUid;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.fetch.SeenUids;

/**
 * Seen UIDs in the PostgreSQL database several nodes share, with the SQLite store's guarantees:
 * every write is one transaction, committed (synchronous_commit on, see {@link PostgresConnector})
 * before the call returns; UIDs are the server's raw bytes (BYTEA), every value bound. Calls from
 * several polls at once each take a pooled connection. The schema is {@link PostgresSchema}'s.
 */
public final class PostgresSeenUidStore implements SeenUidStore {
  private final DataSource pool;
  private final AutoCloseable owned;

  private PostgresSeenUidStore(DataSource pool, AutoCloseable owned) {
    this.pool = pool;
    this.owned = owned;
  }

  /**
   * A store over a pool of at most {@code connections} connections; the database must have been
   * migrated ({@link PostgresSchema#migrate}). Connecting is lazy: a database that is down makes
   * calls fail, not this.
   */
  public static PostgresSeenUidStore open(PostgresConnector connector, int connections) {
    HikariDataSource pool = connector.pool("state", Math.max(2, connections));
    return new PostgresSeenUidStore(pool, pool);
  }

  @Override
  public Map<String, SeenUid> load(AccountKey account) throws IOException {
    SeenUids out = new SeenUids();
    try (Connection db = pool.getConnection()) {
      try (PreparedStatement q =
          db.prepareStatement(
              "SELECT " + SeenUidRows.COLUMNS + " FROM popfetch_seen_uid" + " WHERE account = ?")) {
        q.setString(1, account.storageKey());
        q.setFetchSize(10_000); // streamed in chunks: needs a transaction, which autocommit off is
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            SeenUidRows.add(rs, out);
          }
        }
        db.commit();
        return out;
      } catch (SQLException | IllegalArgumentException e) {
        db.rollback();
        throw e;
      }
    } catch (SQLException | IllegalArgumentException e) {
      throw new IOException("cannot read the shared state store: " + e.getMessage(), e);
    }
  }

  @Override
  public void record(AccountKey account, Collection<SeenUid> entries) throws IOException {
    if (entries.isEmpty()) {
      return;
    }
    write(
        db -> {
          try (PreparedStatement up =
              db.prepareStatement(
                  "INSERT INTO popfetch_seen_uid (account, uid, state, first_seen, size, attempts,"
                      + " last_error) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, uid) DO"
                      + " UPDATE SET state = excluded.state, first_seen = excluded.first_seen, size"
                      + " = excluded.size, attempts = excluded.attempts, last_error ="
                      + " excluded.last_error")) {
            for (SeenUid e : entries) {
              up.setString(1, account.storageKey());
              up.setBytes(2, e.uid().getBytes(StandardCharsets.ISO_8859_1));
              up.setString(3, e.state().name());
              up.setLong(4, e.firstSeen().toEpochMilli());
              up.setLong(5, e.size());
              up.setInt(6, e.attempts());
              up.setString(7, withoutNul(e.lastError()));
              up.addBatch();
            }
            up.executeBatch();
          }
          return 0;
        });
  }

  /** PostgreSQL text cannot hold NUL; a server's error text may. It is only read by people. */
  private static String withoutNul(String text) {
    return text.replace('\0', '\uFFFD');
  }

  @Override
  public void forget(AccountKey account, Collection<String> uids) throws IOException {
    if (uids.isEmpty()) {
      return;
    }
    write(
        db -> {
          try (PreparedStatement del =
              db.prepareStatement("DELETE FROM popfetch_seen_uid WHERE account = ? AND uid = ?")) {
            for (String uid : uids) {
              del.setString(1, account.storageKey());
              del.setBytes(2, uid.getBytes(StandardCharsets.ISO_8859_1));
              del.addBatch();
            }
            del.executeBatch();
          }
          return 0;
        });
  }

  @Override
  public int adopt(AccountKey from, AccountKey to) throws IOException {
    if (from.equals(to)) {
      return 0;
    }
    return write(
        db -> {
          // Locks the target's rows, if any, against a concurrent adoption by another node.
          try (PreparedStatement has =
                  db.prepareStatement(
                      "SELECT 1 FROM popfetch_seen_uid WHERE account = ? LIMIT 1 FOR UPDATE");
              PreparedStatement move =
                  db.prepareStatement(
                      "UPDATE popfetch_seen_uid SET account = ? WHERE account = ?")) {
            has.setString(1, to.storageKey());
            try (ResultSet rs = has.executeQuery()) {
              if (rs.next()) {
                return 0; // never merge two scopes' records
              }
            }
            move.setString(1, to.storageKey());
            move.setString(2, from.storageKey());
            int moved = move.executeUpdate();
            deleteMark(db, from);
            deleteMark(db, to);
            return moved;
          }
        });
  }

  @Override
  public Optional<ListingMark> loadMark(AccountKey account) throws IOException {
    try (Connection db = pool.getConnection()) {
      try (PreparedStatement q =
          db.prepareStatement(
              "SELECT position, uid, shortcuts FROM popfetch_listing_mark WHERE account = ?")) {
        q.setString(1, account.storageKey());
        Optional<ListingMark> mark = Optional.empty();
        try (ResultSet rs = q.executeQuery()) {
          if (rs.next()) {
            mark = mark(rs.getInt(1), rs.getBytes(2), rs.getInt(3));
          }
        }
        db.commit();
        return mark;
      } catch (SQLException e) {
        db.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IOException("cannot read the shared state store: " + e.getMessage(), e);
    }
  }

  /** A row no version writes is no mark: reading the whole listing is always sound. */
  private static Optional<ListingMark> mark(int position, byte[] uid, int shortcuts) {
    try {
      return Optional.of(
          new ListingMark(position, new String(uid, StandardCharsets.ISO_8859_1), shortcuts));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public void storeMark(AccountKey account, Optional<ListingMark> mark) throws IOException {
    write(
        db -> {
          deleteMark(db, account);
          if (mark.isPresent()) {
            try (PreparedStatement up =
                db.prepareStatement(
                    "INSERT INTO popfetch_listing_mark (account, position, uid, shortcuts)"
                        + " VALUES (?, ?, ?, ?)")) {
              up.setString(1, account.storageKey());
              up.setInt(2, mark.get().position());
              up.setBytes(3, mark.get().uid().getBytes(StandardCharsets.ISO_8859_1));
              up.setInt(4, mark.get().shortcuts());
              up.executeUpdate();
            }
          }
          return 0;
        });
  }

  private static void deleteMark(Connection db, AccountKey account) throws SQLException {
    try (PreparedStatement del =
        db.prepareStatement("DELETE FROM popfetch_listing_mark WHERE account = ?")) {
      del.setString(1, account.storageKey());
      del.executeUpdate();
    }
  }

  private interface Work {
    int run(Connection db) throws SQLException;
  }

  /** {@code work} in one transaction, committed before this returns, or rolled back whole. */
  private int write(Work work) throws IOException {
    try (Connection db = pool.getConnection()) {
      try {
        int n = work.run(db);
        db.commit();
        return n;
      } catch (SQLException | RuntimeException e) {
        try {
          db.rollback();
        } catch (SQLException ignored) {
          // the connection is failing anyway; the pool drops it
        }
        throw e;
      }
    } catch (SQLException e) {
      throw new IOException("cannot write the shared state store: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      owned.close();
    } catch (Exception e) {
      throw new IOException("cannot close the shared state store: " + e.getMessage(), e);
    }
  }
}
