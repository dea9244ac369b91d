package org.popfetch.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.ListingMark;
import org.popfetch.fetch.SeenUid;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.fetch.SeenUids;
import org.sqlite.JDBC;
import org.sqlite.SQLiteConfig;

/**
 * Seen UIDs in an SQLite file.
 *
 * <p>UIDs are stored as the raw bytes the server sent (a BLOB), so a hostile UID with quotes, NULs
 * or newlines can neither break a statement (all values are bound) nor be altered. The file is
 * created mode 0600 in a directory created 0700, before SQLite opens it, so there is no window in
 * which others could read it. One connection serves every account; calls are serialised, each is
 * short.
 */
public final class SqliteSeenUidStore implements SeenUidStore {
  private static final String PREFIX = "jdbc:sqlite:";

  private final Connection db;

  private SqliteSeenUidStore(Connection db) {
    this.db = db;
  }

  /**
   * Opens (creating if needed) the store at a "jdbc:sqlite:/path" URL.
   *
   * @throws IOException if the file cannot be created or opened
   */
  public static SqliteSeenUidStore open(String url) throws IOException {
    return open(fileOf(url));
  }

  /** The database file a "jdbc:sqlite:/path" URL names. */
  static Path fileOf(String url) throws IOException {
    if (!url.startsWith(PREFIX)) {
      throw new IOException("not an SQLite URL: " + url);
    }
    return Path.of(url.substring(PREFIX.length()));
  }

  /**
   * Opens (creating if needed) the store in the SQLite database {@code file}.
   *
   * @throws IOException if the file cannot be created or opened
   */
  public static SqliteSeenUidStore open(Path file) throws IOException {
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null && !Files.isDirectory(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      if (!Files.exists(file)) {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      if (dir != null) {
        SqliteNativeLibrary.useCopyIn(dir);
      }
      Connection db = new JDBC().connect(PREFIX + file, new Properties());
      if (db == null) {
        throw new SQLException("the SQLite driver refused " + PREFIX + file);
      }
      try (Statement s = db.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute("PRAGMA busy_timeout=10000");
        s.execute(
            "CREATE TABLE IF NOT EXISTS seen_uid ("
                + " account TEXT NOT NULL,"
                + " uid BLOB NOT NULL,"
                + " state TEXT NOT NULL,"
                + " first_seen INTEGER NOT NULL,"
                + " size INTEGER NOT NULL,"
                + " attempts INTEGER NOT NULL DEFAULT 0,"
                + " last_error TEXT NOT NULL DEFAULT '',"
                + " PRIMARY KEY (account, uid)) WITHOUT ROWID");
        // Added later: a file written before it gets the table here, empty, so its first poll
        // reads the whole listing.
        s.execute(
            "CREATE TABLE IF NOT EXISTS listing_mark ("
                + " account TEXT PRIMARY KEY,"
                + " position INTEGER NOT NULL,"
                + " uid BLOB NOT NULL,"
                + " shortcuts INTEGER NOT NULL)");
      }
      db.setAutoCommit(false);
      return new SqliteSeenUidStore(db);
    } catch (SQLException e) {
      throw new IOException("cannot open the state store " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Opens the store in {@code file} for reading only ({@code popfetch explain}): nothing is
   * created, and {@link #record}, {@link #forget} and {@link #adopt} fail. A file that does not
   * exist is an {@link IOException}; the caller decides what that means.
   *
   * @throws IOException if the file is missing or cannot be opened
   */
  public static SqliteSeenUidStore openReadOnly(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no state store at " + file);
    }
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        SqliteNativeLibrary.useCopyIn(dir);
      }
      SQLiteConfig config = new SQLiteConfig();
      config.setReadOnly(true);
      config.setBusyTimeout(10_000);
      Connection db = new JDBC().connect(PREFIX + file, config.toProperties());
      if (db == null) {
        throw new SQLException("the SQLite driver refused " + PREFIX + file);
      }
      db.setAutoCommit(false);
      return new SqliteSeenUidStore(db);
    } catch (SQLException e) {
      throw new IOException("cannot read the state store " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized Map<String, SeenUid> load(AccountKey account) throws IOException {
    // Compact: a mailbox at the listing caps has as many rows, and they must fit the heap.
    SeenUids out = new SeenUids();
    try (PreparedStatement q =
        db.prepareStatement(
            "SELECT " + SeenUidRows.COLUMNS + " FROM seen_uid WHERE account" + " = ?")) {
      q.setString(1, account.storageKey());
      q.setFetchSize(10_000);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          SeenUidRows.add(rs, out);
        }
      }
      db.commit();
      return out;
    } catch (SQLException | IllegalArgumentException e) {
      rollback();
      throw new IOException("cannot read the state store: " + e.getMessage(), e);
    }
  }

  /** Each UID looked up by the primary key, rather than every row of the mailbox read. */
  @Override
  public synchronized Map<String, SeenUid> load(AccountKey account, Collection<String> uids)
      throws IOException {
    SeenUids out = new SeenUids();
    try (PreparedStatement q =
        db.prepareStatement(
            "SELECT "
                + SeenUidRows.COLUMNS
                + " FROM seen_uid WHERE account"
                + " = ? AND uid = ?")) {
      for (String uid : new LinkedHashSet<>(uids)) {
        q.setString(1, account.storageKey());
        q.setBytes(2, uid.getBytes(StandardCharsets.ISO_8859_1));
        try (ResultSet rs = q.executeQuery()) {
          if (rs.next()) {
            SeenUidRows.add(rs, out);
          }
        }
      }
      db.commit();
      return out;
    } catch (SQLException | IllegalArgumentException e) {
      rollback();
      throw new IOException("cannot read the state store: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void record(AccountKey account, Collection<SeenUid> entries)
      throws IOException {
    if (entries.isEmpty()) {
      return;
    }
    try (PreparedStatement up =
        db.prepareStatement(
            "INSERT OR REPLACE INTO seen_uid (account, uid, state, first_seen, size, attempts,"
                + " last_error) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (SeenUid e : entries) {
        up.setString(1, account.storageKey());
        up.setBytes(2, e.uid().getBytes(StandardCharsets.ISO_8859_1));
        up.setString(3, e.state().name());
        up.setLong(4, e.firstSeen().toEpochMilli());
        up.setLong(5, e.size());
        up.setInt(6, e.attempts());
        up.setString(7, e.lastError());
        up.addBatch();
      }
      up.executeBatch();
      db.commit();
    } catch (SQLException e) {
      rollback();
      throw new IOException("cannot write the state store: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void forget(AccountKey account, Collection<String> uids) throws IOException {
    if (uids.isEmpty()) {
      return;
    }
    try (PreparedStatement del =
        db.prepareStatement("DELETE FROM seen_uid WHERE account = ? AND uid = ?")) {
      for (String uid : uids) {
        del.setString(1, account.storageKey());
        del.setBytes(2, uid.getBytes(StandardCharsets.ISO_8859_1));
        del.addBatch();
      }
      del.executeBatch();
      db.commit();
    } catch (SQLException e) {
      rollback();
      throw new IOException("cannot write the state store: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized int adopt(AccountKey from, AccountKey to) throws IOException {
    if (from.equals(to)) {
      return 0;
    }
    try (PreparedStatement has =
            db.prepareStatement("SELECT 1 FROM seen_uid WHERE account = ? LIMIT 1");
        PreparedStatement move =
            db.prepareStatement("UPDATE seen_uid SET account = ? WHERE account = ?")) {
      has.setString(1, to.storageKey());
      try (ResultSet rs = has.executeQuery()) {
        if (rs.next()) {
          db.commit();
          return 0; // never merge two scopes' records: one mailbox's could hide the other's mail
        }
      }
      move.setString(1, to.storageKey());
      move.setString(2, from.storageKey());
      int moved = move.executeUpdate();
      deleteMark(from);
      deleteMark(to);
      db.commit();
      return moved;
    } catch (SQLException e) {
      rollback();
      throw new IOException(
          "cannot move the state of " + from + " to " + to + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>A file opened read-only, or one written before marks existed and not opened for writing
   * since, has no mark table: it has no marks.
   */
  @Override
  public synchronized Optional<ListingMark> loadMark(AccountKey account) throws IOException {
    try (PreparedStatement q =
        db.prepareStatement(
            "SELECT position, uid, shortcuts FROM listing_mark WHERE account = ?")) {
      q.setString(1, account.storageKey());
      Optional<ListingMark> mark = Optional.empty();
      try (ResultSet rs = q.executeQuery()) {
        if (rs.next()) {
          mark =
              Optional.of(
                  new ListingMark(
                      rs.getInt(1),
                      new String(rs.getBytes(2), StandardCharsets.ISO_8859_1),
                      rs.getInt(3)));
        }
      }
      db.commit();
      return mark;
    } catch (SQLException e) {
      rollback();
      if (e.getMessage() != null && e.getMessage().contains("no such table")) {
        return Optional.empty();
      }
      throw new IOException("cannot read the state store: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      rollback();
      return Optional.empty(); // a row no version writes: the whole listing is always sound
    }
  }

  @Override
  public synchronized void storeMark(AccountKey account, Optional<ListingMark> mark)
      throws IOException {
    try {
      deleteMark(account);
      if (mark.isPresent()) {
        try (PreparedStatement up =
            db.prepareStatement(
                "INSERT INTO listing_mark (account, position, uid, shortcuts) VALUES (?, ?, ?,"
                    + " ?)")) {
          up.setString(1, account.storageKey());
          up.setInt(2, mark.get().position());
          up.setBytes(3, mark.get().uid().getBytes(StandardCharsets.ISO_8859_1));
          up.setInt(4, mark.get().shortcuts());
          up.executeUpdate();
        }
      }
      db.commit();
    } catch (SQLException e) {
      rollback();
      throw new IOException("cannot write the state store: " + e.getMessage(), e);
    }
  }

  private void deleteMark(AccountKey account) throws SQLException {
    try (PreparedStatement del =
        db.prepareStatement("DELETE FROM listing_mark WHERE account = ?")) {
      del.setString(1, account.storageKey());
      del.executeUpdate();
    }
  }

  private void rollback() {
    try {
      db.rollback();
    } catch (SQLException ignored) {
      // the connection is failing anyway; the original error is what the caller needs
    }
  }

  @Override
  public synchronized void close() throws IOException {
    try {
      db.close();
    } catch (SQLException e) {
      throw new IOException("cannot close the state store: " + e.getMessage(), e);
    }
  }
}
