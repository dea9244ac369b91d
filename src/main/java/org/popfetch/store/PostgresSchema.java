package org.popfetch.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and migrates the shared database's tables: popfetch's own and the clustered Quartz job
 * store's. A numbered list of steps, each applied once in its own transaction and noted in {@code
 * popfetch_schema}; every node runs this at start, under a session-level advisory lock, so when
 * several start at the same moment one migrates and the others wait, then find nothing to do.
 *
 * <p>Why not Flyway: its core and PostgreSQL module add some 1.5 MB to a 14 MB package and its own
 * start-up to every node's, for a list of steps that a transaction and an advisory lock make as
 * safe. A database migrated by a newer popfetch is refused, not downgraded.
 */
public final class PostgresSchema {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresSchema.class);

  /** The advisory lock key migrations run under: "popfetch" in ASCII, then 0x01. */
  static final long MIGRATION_LOCK = 0x706f706665746301L;

  /** The Quartz scheduler name every node shares (the SCHED_NAME of Quartz's rows). */
  public static final String SCHEDULER_NAME = "popfetch";

  /** Quartz's own DDL for PostgreSQL, inside its jar; it starts with DROP TABLE, skipped here. */
  static final String QUARTZ_DDL = "org/quartz/impl/jdbcjobstore/tables_postgres.sql";

  /** The steps, in order; step n brings the schema to version n. Never edit one once released. */
  static List<List<String>> steps() throws IOException {
    List<String> first = new ArrayList<>();
    first.add(
        "CREATE TABLE popfetch_seen_uid ("
            + " account TEXT NOT NULL,"
            + " uid BYTEA NOT NULL,"
            + " state TEXT NOT NULL,"
            + " first_seen BIGINT NOT NULL,"
            + " size BIGINT NOT NULL,"
            + " attempts INTEGER NOT NULL DEFAULT 0,"
            + " last_error TEXT NOT NULL DEFAULT '',"
            + " PRIMARY KEY (account, uid))");
    // One row: the configuration the cluster's schedules were last reconciled to.
    first.add(
        "CREATE TABLE popfetch_cluster_config ("
            + " id INTEGER PRIMARY KEY CHECK (id = 1),"
            + " digest TEXT NOT NULL,"
            + " written_at BIGINT NOT NULL,"
            + " config_time BIGINT NOT NULL,"
            + " node TEXT NOT NULL)");
    first.addAll(quartzTables());
    // Pre-seeded: on an empty QRTZ_LOCKS, nodes starting at once race to insert these rows and
    // the loser's transaction is aborted (quartz #647).
    first.add(
        "INSERT INTO qrtz_locks (sched_name, lock_name) VALUES ('"
            + SCHEDULER_NAME
            + "', 'TRIGGER_ACCESS'), ('"
            + SCHEDULER_NAME
            + "', 'STATE_ACCESS')");
    // Where each mailbox's last poll left off (fetch.ListingMark): the next poll lists only what
    // came after it. A database without the table's rows makes every poll read the whole listing.
    List<String> listingMarks =
        List.of(
            "CREATE TABLE popfetch_listing_mark ("
                + " account TEXT PRIMARY KEY,"
                + " position INTEGER NOT NULL,"
                + " uid BYTEA NOT NULL,"
                + " shortcuts INTEGER NOT NULL)");
    return List.of(first, listingMarks);
  }

  /** Quartz's statements for PostgreSQL, without its DROPs and its closing COMMIT. */
  static List<String> quartzTables() throws IOException {
    String text;
    try (InputStream in = PostgresSchema.class.getClassLoader().getResourceAsStream(QUARTZ_DDL)) {
      if (in == null) {
        throw new IOException("Quartz's " + QUARTZ_DDL + " is missing from the class path");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    StringBuilder noComments = new StringBuilder();
    for (String line : text.split("\n")) {
      if (!line.strip().startsWith("--")) {
        noComments.append(line).append('\n');
      }
    }
    List<String> out = new ArrayList<>();
    for (String statement : noComments.toString().split(";")) {
      String s = statement.strip();
      String head = s.toUpperCase(Locale.ROOT);
      if (s.isEmpty() || head.startsWith("DROP ") || head.equals("COMMIT")) {
        continue;
      }
      out.add(s);
    }
    return out;
  }

  private PostgresSchema() {}

  /** The version the database is at and the one this popfetch brings it to. */
  public record Versions(int before, int after) {}

  /**
   * Brings the database to this popfetch's version, under the migration lock (waiting while another
   * node holds it). Each step commits on its own; a failed step leaves the database at the step
   * before, and the next start tries again.
   *
   * @param db a connection of its own (not pooled): the lock is held by its session
   * @throws IOException with the server's words, if the database cannot be migrated or was migrated
   *     by a newer popfetch
   */
  public static Versions migrate(Connection db) throws IOException {
    try {
      db.setAutoCommit(true);
      try (Statement s = db.createStatement()) {
        s.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
      }
      try {
        return migrateLocked(db);
      } finally {
        try (Statement s = db.createStatement()) {
          db.setAutoCommit(true);
          s.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
        }
      }
    } catch (SQLException e) {
      throw new IOException("cannot prepare the shared database: " + e.getMessage(), e);
    }
  }

  private static Versions migrateLocked(Connection db) throws SQLException, IOException {
    try (Statement s = db.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS popfetch_schema ("
              + " version INTEGER PRIMARY KEY,"
              + " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
    }
    int current = version(db);
    List<List<String>> steps = steps();
    if (current > steps.size()) {
      throw new IOException(
          "the shared database is at schema version "
              + current
              + ", newer than this popfetch knows ("
              + steps.size()
              + "); run the same popfetch version on every node");
    }
    db.setAutoCommit(false);
    try {
      for (int v = current + 1; v <= steps.size(); v++) {
        try (Statement s = db.createStatement()) {
          for (String sql : steps.get(v - 1)) {
            s.execute(sql);
          }
        }
        try (PreparedStatement done =
            db.prepareStatement("INSERT INTO popfetch_schema (version) VALUES (?)")) {
          done.setInt(1, v);
          done.executeUpdate();
        }
        db.commit();
        LOG.info("shared database migrated to schema version {}", v);
      }
    } catch (SQLException e) {
      db.rollback();
      throw e;
    } finally {
      db.setAutoCommit(true);
    }
    return new Versions(current, steps.size());
  }

  /**
   * Connects with a connection of its own and {@link #migrate}s.
   *
   * @throws IOException naming the database, if it cannot be reached or migrated
   */
  public static Versions prepare(PostgresConnector connector) throws IOException {
    try (Connection db = connector.open("schema")) {
      return migrate(db);
    } catch (SQLException e) {
      throw new IOException(
          "cannot reach the shared database " + connector.url() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The schema version of the database {@code connector} reaches, read without preparing anything:
   * 0 if popfetch never prepared it (no schema table at all).
   *
   * @throws IOException if the database cannot be reached or read
   */
  public static int preparedVersion(PostgresConnector connector) throws IOException {
    try (Connection db = connector.open("status");
        Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT to_regclass('popfetch_schema') IS NOT NULL")) {
      rs.next();
      return rs.getBoolean(1) ? version(db) : 0;
    } catch (SQLException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** The schema version of the database: 0 if popfetch never prepared it. */
  public static int version(Connection db) throws SQLException {
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM popfetch_schema")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
