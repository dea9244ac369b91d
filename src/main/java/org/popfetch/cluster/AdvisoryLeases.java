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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.Lease;
import org.popfetch.fetch.Leases;
import org.popfetch.store.PostgresConnector;

/**
 * Per-account leases as PostgreSQL session-level advisory locks, each on a connection of its own
 * held for the whole POP3 session. The lock lives exactly as long as that session holds it: it is
 * given back on close, and it is gone when the connection breaks, the server restarts, or the
 * server ends the session of a node it can no longer reach (the keepalives of {@link
 * PostgresConnector}). A node that is merely frozen keeps its connection, and so its lease: the
 * others wait rather than poll the same mailbox. {@link Lease#check} asks the server whether this
 * session still holds the lock.
 *
 * <p>A lease's connection is kept for the next lease (a new one costs a server process, its
 * authentication and its settings: most of what a lease cost), but only in a state known to be
 * clean: the lock given back and the server's word that this session holds no advisory lock any
 * more. A connection whose state is unknown (an error, a lease found lost, an unlock the server did
 * not confirm) is closed, which is what gives its locks back; it is never lent again.
 */
public final class AdvisoryLeases implements Leases, AutoCloseable {
  /** How many lease connections a node keeps idle when nobody wants one: its polls at once. */
  public static final int DEFAULT_IDLE = 8;

  private final PostgresConnector connector;
  private final int maxIdle;
  private final Deque<Connection> idle = new ArrayDeque<>(); // guarded by this
  private boolean closed; // guarded by this

  /** Leases whose connections are not kept: each lease opens its own and closes it. */
  public AdvisoryLeases(PostgresConnector connector) {
    this(connector, 0);
  }

  /**
   * Leases that keep up to {@code maxIdle} connections, clean, for the next leases: as many as the
   * node runs polls at once.
   */
  public AdvisoryLeases(PostgresConnector connector, int maxIdle) {
    this.connector = connector;
    this.maxIdle = Math.max(0, maxIdle);
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
    Connection kept = takeIdle();
    if (kept != null) {
      try {
        return lock(kept, key, account);
      } catch (SQLException e) {
        // The server ended that session while it sat idle (a restart, a partition): the others
        // kept with it most likely went the same way, and each could cost a socket timeout.
        close(kept);
        closeIdle();
      }
    }
    Connection db;
    try {
      db = connector.open("lease");
    } catch (SQLException e) {
      throw new IOException("cannot take the lease of " + account + ": " + e.getMessage(), e);
    }
    try {
      return lock(db, key, account);
    } catch (SQLException e) {
      close(db);
      throw new IOException("cannot take the lease of " + account + ": " + e.getMessage(), e);
    }
  }

  /** The lease on {@code db}, or empty (and {@code db} kept: it holds nothing) if it is taken. */
  private Optional<Lease> lock(Connection db, long key, AccountKey account) throws SQLException {
    try (PreparedStatement q = db.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
      q.setLong(1, key);
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          giveBack(db);
          return Optional.empty();
        }
      }
    }
    return Optional.of(new Held(db, key, account));
  }

  /** How many connections are kept for the next leases now. */
  synchronized int idle() {
    return idle.size();
  }

  private synchronized Connection takeIdle() {
    return idle.pollFirst();
  }

  /** Keeps {@code db}, which holds no lock, for the next lease; closes it if enough are kept. */
  private void giveBack(Connection db) {
    synchronized (this) {
      if (!closed && idle.size() < maxIdle) {
        idle.addFirst(db); // the most recently used first: the others may time out unused
        return;
      }
    }
    close(db);
  }

  private void closeIdle() {
    List<Connection> all;
    synchronized (this) {
      all = new ArrayList<>(idle);
      idle.clear();
    }
    all.forEach(AdvisoryLeases::close);
  }

  /** Closes the kept connections; a lease still held is closed with its own, when given back. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    closeIdle();
  }

  private static void close(Connection db) {
    try {
      db.close();
    } catch (SQLException ignored) {
      // ending the session is what gives the lock back; it is ending either way
    }
  }

  /** Whether the server says the session of {@code db} holds no advisory lock at all. */
  private static boolean holdsNone(Connection db) throws SQLException {
    try (PreparedStatement q =
            db.prepareStatement(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid ="
                    + " pg_backend_pid()");
        ResultSet rs = q.executeQuery()) {
      rs.next();
      return rs.getLong(1) == 0;
    }
  }

  /** One lease, held by its connection's session. */
  private final class Held implements Lease {
    private final Connection db;
    private final long key;
    private final AccountKey account;
    private boolean lost;
    private boolean given;

    Held(Connection db, long key, AccountKey account) {
      this.db = db;
      this.key = key;
      this.account = account;
    }

    @Override
    public synchronized void check() throws LostException {
      if (lost || given) {
        throw new LostException("the lease of " + account + " was lost or given back before");
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
      if (given) {
        return;
      }
      given = true;
      if (!lost && unlocked()) {
        giveBack(db);
      } else {
        AdvisoryLeases.close(db);
      }
    }

    /** Gives the lock back; true only if the server confirms this session holds none now. */
    private boolean unlocked() {
      try (PreparedStatement q = db.prepareStatement("SELECT pg_advisory_unlock(?)")) {
        q.setLong(1, key);
        try (ResultSet rs = q.executeQuery()) {
          rs.next();
          if (!rs.getBoolean(1)) {
            return false; // it did not hold it: its state is not what it should be
          }
        }
        return db.getAutoCommit() && holdsNone(db);
      } catch (SQLException e) {
        return false; // closing the session gives it back as well
      }
    }
  }
}
