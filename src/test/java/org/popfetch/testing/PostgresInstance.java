package org.popfetch.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A private PostgreSQL server on a loopback port for tests: its own data directory under /tmp,
 * trust authentication, fsync off, nothing shared with a system PostgreSQL. It starts in about 1.5
 * s (initdb and start).
 *
 * <p>Order: {@link #start()}, then any of {@link #jdbcUrl()}, {@link #createDatabase}, {@link
 * #psql}, {@link #stop()} and {@link #startAgain()}, {@link #kill()}, {@link #pause(Duration)};
 * last {@link #close()}, which stops the server and deletes its data. The port stays the same
 * across stops and restarts, and while the server is down the port is held bound (not listening),
 * so clients are refused as by a stopped server and no other program can take it in between.
 *
 * <p>Binaries are found under {@code /usr/lib/postgresql/<version>/bin} (Debian's postgresql-NN
 * package), the newest version first, never on the PATH. As root, initdb and the server run as the
 * {@code postgres} user through {@code runuser} (initdb refuses root); as anyone else, as that
 * user.
 *
 * <p>When PostgreSQL is not installed, {@link #start()} skips the test with one line, unless the
 * build promised it (system property {@code popfetch.postgres.required=true} or environment
 * variable {@code POPFETCH_POSTGRES_REQUIRED=1}: {@code .ci/run} and the integration-test phase,
 * after {@code install-peers.sh}), where it fails.
 */
public final class PostgresInstance implements AutoCloseable {
  /** The superuser; trust authentication accepts any password for it. */
  public static final String USER = "postgres";

  /** The database {@link #start()} creates; {@link #jdbcUrl()} names it. */
  public static final String DATABASE = "popfetch";

  private static final Path INSTALLATIONS = Path.of("/usr/lib/postgresql");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final Path bin;
  private final Path base;
  private final int port;
  private final List<String> settings;
  private RefusingPort held;

  private PostgresInstance(Path bin, Path base, int port, List<String> settings) {
    this.bin = bin;
    this.base = base;
    this.port = port;
    this.settings = settings;
  }

  /**
   * Creates a data directory, starts the server on a free loopback port and creates the database
   * {@value #DATABASE}.
   *
   * @throws org.opentest4j.TestAbortedException when PostgreSQL is not installed and not required
   * @throws IllegalStateException when PostgreSQL is not installed but was required
   * @throws IOException when initdb or the start fails; the message carries their output
   */
  public static PostgresInstance start() throws IOException {
    return start(Map.of());
  }

  /**
   * As {@link #start()}, with extra server settings ({@code -c name=value}), for example {@code
   * max_connections}.
   */
  public static PostgresInstance start(Map<String, String> extraSettings) throws IOException {
    Path bin = requireAvailable();
    Path base =
        Files.createTempDirectory(
            "popfetch-postgres-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    List<String> settings = new ArrayList<>();
    // No fsync: the machine does not crash under a test. A commit still writes its WAL to the
    // kernel before it returns (synchronous_commit stays on), so kill() loses no committed row.
    settings.addAll(List.of("fsync=off", "full_page_writes=off"));
    settings.add("max_connections=" + extraSettings.getOrDefault("max_connections", "200"));
    extraSettings.forEach(
        (k, v) -> {
          if (!k.equals("max_connections")) {
            settings.add(k + "=" + v);
          }
        });
    RefusingPort port = new RefusingPort();
    PostgresInstance pg = new PostgresInstance(bin, base, port.port(), List.copyOf(settings));
    pg.held = port;
    try {
      pg.initdb();
      pg.startServer();
      pg.psql("postgres", "CREATE DATABASE " + DATABASE);
    } catch (IOException | RuntimeException e) {
      pg.close();
      throw e;
    }
    // A test JVM that ends without close() must not leave a server behind: pg_ctl detaches it.
    Runtime.getRuntime().addShutdownHook(new Thread(pg::closeQuietly, "postgres-cleanup"));
    return pg;
  }

  /**
   * The bin directory of the newest installed PostgreSQL; skips the calling test when there is
   * none, or fails when the build promised one.
   */
  public static Path requireAvailable() {
    Optional<Path> bin = installedBin();
    if (bin.isPresent()) {
      return bin.get();
    }
    String what =
        "PostgreSQL is not installed (no "
            + INSTALLATIONS
            + "/*/bin/postgres): apt-get install postgresql-15, or run .ci/run";
    if (Boolean.getBoolean("popfetch.postgres.required")
        || "1".equals(System.getenv("POPFETCH_POSTGRES_REQUIRED"))) {
      throw new IllegalStateException(what);
    }
    Assumptions.abort(what);
    throw new AssertionError("unreachable");
  }

  private static Optional<Path> installedBin() {
    if (!Files.isDirectory(INSTALLATIONS)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(INSTALLATIONS)) {
      return versions
          .filter(v -> v.getFileName().toString().matches("\\d+"))
          .sorted(
              Comparator.comparingInt((Path v) -> Integer.parseInt(v.getFileName().toString()))
                  .reversed())
          .map(v -> v.resolve("bin"))
          .filter(
              b ->
                  Files.isExecutable(b.resolve("postgres"))
                      && Files.isExecutable(b.resolve("initdb"))
                      && Files.isExecutable(b.resolve("pg_ctl"))
                      && Files.isExecutable(b.resolve("psql")))
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  public int port() {
    return port;
  }

  /** The JDBC URL of the database {@value #DATABASE}. */
  public String jdbcUrl() {
    return jdbcUrl(DATABASE);
  }

  /** The JDBC URL of {@code database} on this server. */
  public String url(String database) {
    return jdbcUrl(database);
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** A fresh, empty database with a name of its own ("test1", "test2"...); returns its JDBC URL. */
  public String createDatabase() throws IOException {
    return createDatabase("test" + DATABASES.incrementAndGet());
  }

  /**
   * Creates an empty database, so tests that share this server do not share tables; returns its
   * JDBC URL.
   *
   * @param name lower-case letters, digits and '_'
   */
  public String createDatabase(String name) throws IOException {
    if (!IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("not a plain database name: " + name);
    }
    psql("postgres", "CREATE DATABASE " + name);
    return jdbcUrl(name);
  }

  /**
   * Runs SQL in {@value #DATABASE} with psql and returns its unaligned, tuples-only output: one
   * line per row, columns separated by '|'. Stops at the first error.
   *
   * @throws IOException with psql's own words when the SQL fails or the server is down
   */
  public String psql(String sql) throws IOException {
    return psql(DATABASE, sql);
  }

  /** As {@link #psql(String)}, in the given database. */
  public String psql(String database, String sql) throws IOException {
    return run(
        List.of(
            bin.resolve("psql").toString(),
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-p",
            Integer.toString(port),
            "-U",
            USER,
            "-d",
            database,
            "-c",
            sql),
        false);
  }

  /**
   * A JDBC connection to {@code url} as the superuser (the PostgreSQL driver must be on the class
   * path).
   */
  public Connection connect(String url) throws SQLException {
    return DriverManager.getConnection(url, USER, "");
  }

  /** The PID of the running postmaster. */
  public long pid() throws IOException {
    // postmaster.pid's first line is the postmaster's PID.
    return Long.parseLong(Files.readAllLines(data().resolve("postmaster.pid")).get(0).trim());
  }

  /** True while the postmaster runs. */
  public boolean isRunning() {
    try {
      return ProcessHandle.of(pid()).map(ProcessHandle::isAlive).orElse(false);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Stops the server as an administrator would ({@code pg_ctl stop -m fast}): open sessions are
   * ended, so their session-level locks are released. The port is held until {@link #startAgain()}.
   */
  public void stop() throws IOException {
    pgCtl("stop", "-m", "fast");
    // Held only now: a listening socket's port cannot be bound even with address reuse.
    holdPort();
  }

  /**
   * Kills the postmaster and all its backends with SIGKILL, as a crash of the machine would end
   * them: nothing is shut down cleanly, and the next {@link #startAgain()} runs crash recovery.
   */
  public void kill() throws IOException {
    ProcessHandle postmaster =
        ProcessHandle.of(pid())
            .orElseThrow(() -> new IOException("PostgreSQL is not running: " + logs()));
    List<ProcessHandle> all = new ArrayList<>();
    all.add(postmaster);
    all.addAll(postmaster.descendants().toList());
    // The postmaster first: otherwise it would notice its dead children and restart them.
    for (ProcessHandle p : all) {
      p.destroyForcibly();
    }
    for (ProcessHandle p : all) {
      p.onExit().join();
    }
    holdPort();
    // Its shared memory goes with the last process; the next start finds no live owner.
  }

  /**
   * Starts the server again on the same port and data, after {@link #stop()} or {@link #kill()}.
   */
  public void startAgain() throws IOException {
    startServer();
  }

  /**
   * Stops the server ({@link #stop()}), waits {@code outage} while clients are refused, and starts
   * it again on the same port and data. Blocks the caller for the whole outage: call it from a
   * thread of its own to watch clients meanwhile.
   */
  public void pause(Duration outage) throws IOException, InterruptedException {
    stop();
    Thread.sleep(outage.toMillis()); // the outage itself, not a wait for some event
    startAgain();
  }

  /** The server's log, for a failing test's message. */
  public String logs() {
    try {
      return Files.readString(base.resolve("postgres.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * Stops the server if it runs and deletes its data directory (kept with {@code
   * -Dpopfetch.keepPostgres=true}, for a look at its log).
   */
  @Override
  public void close() throws IOException {
    try {
      if (isRunning()) {
        pgCtl("stop", "-m", "immediate");
      }
    } finally {
      if (held != null) {
        held.close();
        held = null;
      }
      if (!Boolean.getBoolean("popfetch.keepPostgres") && Files.exists(base)) {
        try (Stream<Path> walk = Files.walk(base)) {
          for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException | RuntimeException e) {
      // the JVM is ending; a leftover directory under /tmp is all that can remain
    }
  }

  private Path data() {
    return base.resolve("data");
  }

  private void initdb() throws IOException {
    if (isRoot()) {
      UserPrincipalLookupService lookup = base.getFileSystem().getUserPrincipalLookupService();
      UserPrincipal owner = lookup.lookupPrincipalByName(USER);
      GroupPrincipal group = lookup.lookupPrincipalByGroupName(USER);
      PosixFileAttributeView view = Files.getFileAttributeView(base, PosixFileAttributeView.class);
      view.setOwner(owner);
      view.setGroup(group);
    }
    run(
        asServerUser(
            bin.resolve("initdb").toString(),
            "-D",
            data().toString(),
            "-U",
            USER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync"),
        true);
  }

  private void startServer() throws IOException {
    String options =
        "-c listen_addresses=127.0.0.1 -p "
            + port
            + " -k "
            + base
            + " "
            + String.join(" ", settings.stream().map(s -> "-c " + s).toList());
    try {
      pgCtl("start", "-l", base.resolve("postgres.log").toString(), "-o", options);
    } finally {
      // Listening now (pg_ctl -w waited for it) or failed: either way the port is released, and
      // PostgreSQL binds with address reuse, so it could bind while the port was held.
      if (held != null) {
        held.close();
        held = null;
      }
    }
  }

  private void holdPort() {
    if (held == null) {
      held = new RefusingPort(port);
    }
  }

  private void pgCtl(String action, String... options) throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add(bin.resolve("pg_ctl").toString());
    argv.addAll(List.of("-D", data().toString(), "-w", "-t", "60"));
    argv.addAll(List.of(options));
    argv.add(action);
    run(asServerUser(argv.toArray(String[]::new)), true);
  }

  private static List<String> asServerUser(String... argv) {
    List<String> all = new ArrayList<>();
    if (isRoot()) {
      all.addAll(List.of("runuser", "-u", USER, "--"));
    }
    all.addAll(List.of(argv));
    return all;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private String run(List<String> argv, boolean withLog) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .directory(base.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().put("LC_ALL", "C.UTF-8");
    pb.environment().put("PGCONNECT_TIMEOUT", "10");
    Path out = Files.createTempFile(base, "cmd-", ".out");
    Path err = Files.createTempFile(base, "cmd-", ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    try {
      if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(argv.get(argv.size() - 1) + " did not end in " + COMMAND_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted: " + argv, e);
    }
    try {
      String stdout = Files.readString(out, UTF_8);
      if (p.exitValue() != 0) {
        throw new IOException(
            String.join(" ", argv)
                + " exited "
                + p.exitValue()
                + ": "
                + Files.readString(err, UTF_8)
                + stdout
                + (withLog ? "\n" + logs() : ""));
      }
      return stdout;
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
