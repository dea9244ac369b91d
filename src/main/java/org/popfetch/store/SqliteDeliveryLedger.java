package org.popfetch.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.DeliveryLedger;
import org.sqlite.JDBC;

/**
 * The delivery ledger in the state's SQLite file, beside the seen UIDs, in tables of its own:
 * {@code delivered_part} (account, UID, part) and {@code delivered_id} (Message-ID, recipient,
 * when). Opened on first use, so a poll that never fans out costs nothing; on a connection of its
 * own (the file is in WAL mode, with a busy timeout, as the seen-UID store sets it). Every write is
 * its own transaction with synchronous=FULL: durable when the call returns. Values are bound, UIDs
 * kept as the server's bytes.
 */
public final class SqliteDeliveryLedger implements DeliveryLedger {
  private final Path file;
  private Connection db;

  private SqliteDeliveryLedger(Path file) {
    this.file = file;
  }

  /** The ledger in the state file {@code file}; the file is opened (or made) on first use. */
  public static SqliteDeliveryLedger at(Path file) {
    return new SqliteDeliveryLedger(file);
  }

  private Connection db() throws IOException {
    if (db != null) {
      return db;
    }
    try {
      // The seen-UID store makes the file (0600, in a 0700 directory) before any poll runs.
      SqliteSeenUidStore.open(file).close();
      Connection c = new JDBC().connect("jdbc:sqlite:" + file, new Properties());
      if (c == null) {
        throw new SQLException("the SQLite driver refused " + file);
      }
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA synchronous=FULL");
        s.execute("PRAGMA busy_timeout=10000");
        s.execute(
            "CREATE TABLE IF NOT EXISTS delivered_part ("
                + " account TEXT NOT NULL,"
                + " uid BLOB NOT NULL,"
                + " part TEXT NOT NULL,"
                + " at INTEGER NOT NULL,"
                + " PRIMARY KEY (account, uid, part)) WITHOUT ROWID");
        s.execute(
            "CREATE TABLE IF NOT EXISTS delivered_id ("
                + " message_id TEXT NOT NULL,"
                + " recipient TEXT NOT NULL,"
                + " at INTEGER NOT NULL,"
                + " PRIMARY KEY (message_id, recipient)) WITHOUT ROWID");
      }
      db = c;
      return db;
    } catch (SQLException e) {
      throw new IOException(
          "cannot open the delivery ledger in " + file + ": " + e.getMessage(), e);
    }
  }

  private static byte[] bytes(String uid) {
    return uid.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Override
  public synchronized Set<String> parts(AccountKey account, String uid) throws IOException {
    try (PreparedStatement q =
        db().prepareStatement("SELECT part FROM delivered_part WHERE account = ? AND uid = ?")) {
      q.setString(1, account.storageKey());
      q.setBytes(2, bytes(uid));
      Set<String> out = new HashSet<>();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IOException("delivery ledger: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void recordPart(AccountKey account, String uid, String part)
      throws IOException {
    try (PreparedStatement q =
        db().prepareStatement(
                "INSERT OR REPLACE INTO delivered_part (account, uid, part, at) VALUES (?, ?,"
                    + " ?, ?)")) {
      q.setString(1, account.storageKey());
      q.setBytes(2, bytes(uid));
      q.setString(3, part);
      q.setLong(4, Instant.now().getEpochSecond());
      q.executeUpdate();
    } catch (SQLException e) {
      throw new IOException("delivery ledger: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void forgetParts(AccountKey account, Collection<String> uids)
      throws IOException {
    if (uids.isEmpty()) {
      return;
    }
    Connection c = db();
    try {
      c.setAutoCommit(false);
      try (PreparedStatement q =
          c.prepareStatement("DELETE FROM delivered_part WHERE account = ? AND uid = ?")) {
        for (String uid : uids) {
          q.setString(1, account.storageKey());
          q.setBytes(2, bytes(uid));
          q.addBatch();
        }
        q.executeBatch();
      }
      c.commit();
    } catch (SQLException e) {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // the error above is the one to report
      }
      throw new IOException("delivery ledger: " + e.getMessage(), e);
    } finally {
      try {
        c.setAutoCommit(true);
      } catch (SQLException ignored) {
        // next use reports it
      }
    }
  }

  @Override
  public synchronized boolean delivered(String messageId, String recipient, Instant since)
      throws IOException {
    try (PreparedStatement q =
        db().prepareStatement(
                "SELECT 1 FROM delivered_id WHERE message_id = ? AND recipient = ? AND at >= ?")) {
      q.setString(1, messageId);
      q.setString(2, recipient);
      q.setLong(3, since.getEpochSecond());
      try (ResultSet rs = q.executeQuery()) {
        return rs.next();
      }
    } catch (SQLException e) {
      throw new IOException("delivery ledger: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void recordDelivered(String messageId, String recipient, Instant at)
      throws IOException {
    try (PreparedStatement q =
        db().prepareStatement(
                "INSERT OR REPLACE INTO delivered_id (message_id, recipient, at) VALUES (?, ?,"
                    + " ?)")) {
      q.setString(1, messageId);
      q.setString(2, recipient);
      q.setLong(3, at.getEpochSecond());
      q.executeUpdate();
    } catch (SQLException e) {
      throw new IOException("delivery ledger: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void purgeDelivered(Instant before) throws IOException {
    try (PreparedStatement q = db().prepareStatement("DELETE FROM delivered_id WHERE at < ?")) {
      q.setLong(1, before.getEpochSecond());
      q.executeUpdate();
    } catch (SQLException e) {
      throw new IOException("delivery ledger: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (db != null) {
      try {
        db.close();
      } catch (SQLException e) {
        throw new IOException("delivery ledger: " + e.getMessage(), e);
      } finally {
        db = null;
      }
    }
  }
}
