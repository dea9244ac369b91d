package org.popfetch.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A private PostgreSQL on a free loopback port for tests: initdb as the {@code postgres} user (it
 * refuses root) in a directory of its own, trust authentication, no fsync. Starts in about 1.5 s.
 * Skips the test with one line when PostgreSQL is not installed.
 */
public final class PostgresInstance implements AutoCloseable {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final Path bin;
  private final Path dir;
  private final int port;

  private PostgresInstance(Path bin, Path dir, int port) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
  }

  /** Where the PostgreSQL programs are, the newest installed version's, if any. */
  static Path binaries() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return null;
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparing(p -> Integer.parseInt(p.getParent().getFileName().toString())))
          .orElse(null);
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  /** A new instance, started; the test is skipped if PostgreSQL is not installed. */
  public static PostgresInstance start() throws IOException {
    Path bin = binaries();
    Assumptions.assumeTrue(bin != null, "PostgreSQL is not installed (/usr/lib/postgresql/*/bin)");
    Path dir =
        Files.createTempDirectory(
            "popfetch-pg.", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    run(List.of("chown", "postgres:postgres", dir.toString()));
    PostgresInstance pg = new PostgresInstance(bin, dir, freePort());
    pg.asPostgres(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            dir.resolve("data").toString(),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync"));
    pg.startAgain();
    return pg;
  }

  /** Starts the server again on the same port and data (after {@link #stop} or {@link #kill}). */
  public void startAgain() throws IOException {
    asPostgres(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            dir.resolve("data").toString(),
            "-l",
            dir.resolve("pg.log").toString(),
            "-w",
            "-t",
            "60",
            "-o",
            "-c listen_addresses=127.0.0.1 -p "
                + port
                + " -k "
                + dir
                + " -c fsync=off -c full_page_writes=off -c max_connections=200",
            "start"));
  }

  /** Stops the server cleanly (connections are ended). */
  public void stop() throws IOException {
    pgCtlStop("fast");
  }

  /** Stops the server as a crash would: no checkpoint, recovery at the next start. */
  public void kill() throws IOException {
    pgCtlStop("immediate");
  }

  /** Stops the server for {@code down} and starts it again on the same port and data. */
  public void pause(Duration down) throws IOException, InterruptedException {
    stop();
    Thread.sleep(down.toMillis());
    startAgain();
  }

  private void pgCtlStop(String mode) throws IOException {
    asPostgres(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            dir.resolve("data").toString(),
            "-m",
            mode,
            "-w",
            "stop"));
  }

  public int port() {
    return port;
  }

  /** A fresh, empty database of its own, for one test. */
  public String createDatabase() throws SQLException {
    String name = "test" + DATABASES.incrementAndGet();
    try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return url(name);
  }

  /** The JDBC URL of {@code database} on this server. */
  public String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** A connection to {@code url} as the superuser. */
  public Connection connect(String url) throws SQLException {
    return DriverManager.getConnection(url, "postgres", "");
  }

  @Override
  public void close() throws IOException {
    try {
      stop();
    } catch (IOException e) {
      // already stopped
    }
    run(List.of("rm", "-rf", dir.toString()));
  }

  private void asPostgres(List<String> argv) throws IOException {
    List<String> all = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
    all.addAll(argv);
    run(all);
  }

  private static void run(List<String> argv) throws IOException {
    Command c =
        Command.run(argv, Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL", "C.UTF-8"));
    if (c.status() != 0) {
      throw new IOException(argv + " failed (" + c.status() + "): " + c.out() + c.err());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
