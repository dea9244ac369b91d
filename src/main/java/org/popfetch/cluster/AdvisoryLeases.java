package org.popfetch.cluster;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.Lease;
import org.popfetch.fetch.Leases;
import org.popfetch.store.PostgresConnector;

/**
 * Per-account leases as PostgreSQL session-level advisory locks, each on a connection of its own
 * held for the whole POP3 session. The lock lives exactly as long as that session: it is given back
 * on close, and it is gone when the connection breaks, the server restarts, or the server ends the
 * session of a node it can no longer reach (the keepalives of {@link PostgresConnector}). A node
 * that is merely frozen keeps its connection, and so its lease: the others wait rather than poll
 * the same mailbox. {@link Lease#check} asks the server whether this session still holds the lock.
 */
public final class AdvisoryLeases implements Leases {
  private final PostgresConnector connector;

  public AdvisoryLeases(PostgresConnector connector) {
    this.connector = connector;
  }

  /** The lock key of a mailbox: 64 bits of SHA-256 of its storage key, the same on every node. */
  public static long key(AccountKey account) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest(("popfetch lease " + account.storageKey()).getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(h).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java", e);
    }
  }

  @Override
  public Optional<Lease> tryAcquire(AccountKey account) throws IOException {
    long key = key(account);
    Connection db;
    try {
      db = connector.open("lease");
    } catch (SQLException e) {
      throw new IOException("cannot take the lease of " + account + ": " + e.getMessage(), e);
    }
    try (PreparedStatement q = db.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
      q.setLong(1, key);
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          db.close();
          return Optional.empty();
        }
      }
      return Optional.of(new Held(db, key, account));
    } catch (SQLException e) {
      close(db);
      throw new IOException("cannot take the lease of " + account + ": " + e.getMessage(), e);
    }
  }

  private static void close(Connection db) {
    try {
      db.close();
    } catch (SQLException ignored) {
      // ending the session is what gives the lock back; it is ending either way
    }
  }

  /** One lease, held by its connection's session. */
  private static final class Held implements Lease {
    private final Connection db;
    private final long key;
    private final AccountKey account;
    private boolean lost;

    Held(Connection db, long key, AccountKey account) {
      this.db = db;
      this.key = key;
      this.account = account;
    }

    @Override
    public synchronized void check() throws LostException {
      if (lost) {
        throw new LostException("the lease of " + account + " was lost before");
      }
      // The key as the server keeps it: high half in classid, low half in objid, objsubid 1.
      try (PreparedStatement q =
          db.prepareStatement(
              "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid ="
                  + " pg_backend_pid() AND objsubid = 1 AND classid = ?::bigint::oid AND objid ="
                  + " ?::bigint::oid")) {
        q.setLong(1, key >>> 32);
        q.setLong(2, key & 0xffffffffL);
        try (ResultSet rs = q.executeQuery()) {
          rs.next();
          if (rs.getLong(1) == 1) {
            return;
          }
        }
        lost = true;
        throw new LostException("the lease of " + account + " is no longer held by this node");
      } catch (SQLException e) {
        lost = true;
        throw new LostException(
            "the lease of " + account + " is lost with its connection: " + e.getMessage(), e);
      }
    }

    @Override
    public synchronized void close() {
      if (!lost) {
        try (PreparedStatement q = db.prepareStatement("SELECT pg_advisory_unlock(?)")) {
          q.setLong(1, key);
          q.execute();
        } catch (SQLException ignored) {
          // closing the session below gives it back as well
        }
      }
      AdvisoryLeases.close(db);
    }
  }
}
