package org.popfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.AccountKey;
import org.popfetch.testing.Command;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.OSInfo;

/** The SQLite driver's native library, kept in the state directory instead of /tmp. */
class SqliteNativeLibraryTest {
  private static final String PATH = "org.sqlite.lib.path";
  private static final String NAME = "org.sqlite.lib.name";
  private static final String TMPDIR = "org.sqlite.tmpdir";

  @TempDir Path state;
  private String path;
  private String name;
  private String tmpdir;

  @BeforeEach
  void forget() {
    // Set by any store opened before in this JVM; useCopyIn leaves a path it did not choose.
    path = System.clearProperty(PATH);
    name = System.clearProperty(NAME);
    tmpdir = System.clearProperty(TMPDIR);
  }

  @AfterEach
  void restore() {
    System.clearProperty(PATH);
    System.clearProperty(NAME);
    if (path != null) {
      System.setProperty(PATH, path);
    }
    if (name != null) {
      System.setProperty(NAME, name);
    }
    System.clearProperty(TMPDIR);
    if (tmpdir != null) {
      System.setProperty(TMPDIR, tmpdir);
    }
  }

  @Test
  void theFirstStartKeepsTheDriversOwnLibraryAndPointsTheDriverAtIt() throws Exception {
    SqliteNativeLibrary.useCopyIn(state);

    Path kept = Path.of(System.getProperty(PATH)).resolve(System.getProperty(NAME));
    assertThat(kept).startsWith(state.resolve(".native")).isRegularFile();
    String resource =
        "/org/sqlite/native/"
            + OSInfo.getNativeLibFolderPathForCurrentOS()
            + "/"
            + System.mapLibraryName("sqlitejdbc");
    try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
      assertThat(Files.readAllBytes(kept)).isEqualTo(in.readAllBytes());
    }
    try (var left = Files.list(kept.getParent())) {
      assertThat(left).containsExactly(kept); // no temporary copy left behind
    }
  }

  @Test
  void theFirstStartOnLinuxRunsNoProgramToFindTheLibrary() throws Exception {
    assumeTrue("Linux".equals(System.getProperty("os.name")));
    assumeFalse(System.getProperty("os.arch").startsWith("arm"));

    // The driver's platform lookup runs `uname -o` for its Termux check: a fork of the JVM at
    // the start of every poll with a new state directory.
    List<RecordedEvent> started = processesStartedBy(() -> SqliteNativeLibrary.useCopyIn(state));

    assertThat(started).isEmpty();
    assertThat(Path.of(System.getProperty(PATH)).resolve(System.getProperty(NAME))).isRegularFile();
  }

  /** The jdk.ProcessStart events of what {@code action} did. */
  private List<RecordedEvent> processesStartedBy(Runnable action) throws Exception {
    Path events = state.resolve("events.jfr");
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ProcessStart");
      recording.start();
      action.run();
      recording.stop();
      recording.dump(events);
      return RecordingFile.readAllEvents(events);
    } finally {
      Files.deleteIfExists(events);
    }
  }

  @Test
  void aLaterStartUsesTheKeptCopyWithoutRunningAnyProgram() throws Exception {
    SqliteNativeLibrary.useCopyIn(state);
    Path kept = Path.of(System.getProperty(PATH)).resolve(System.getProperty(NAME));
    System.clearProperty(PATH);
    System.clearProperty(NAME);

    // The driver's platform lookup runs `uname` in a child process: a fork of the whole JVM at
    // every start, which a kept copy is there to save.
    List<RecordedEvent> started = processesStartedBy(() -> SqliteNativeLibrary.useCopyIn(state));

    assertThat(started).isEmpty();
    assertThat(Path.of(System.getProperty(PATH)).resolve(System.getProperty(NAME))).isEqualTo(kept);
  }

  @Test
  void theDriversOwnDirectoryIsAnEmptyPrivateOneOutsideTheStateDirectory() throws Exception {
    SqliteNativeLibrary.useCopyIn(state);

    // The driver lists it at each start for old copies to delete: /tmp held every file there.
    // It extracts there when the kept copy does not load: the state directory's mount may be
    // what stopped it (noexec).
    Path driversOwn = Path.of(System.getProperty(TMPDIR));
    assertThat(driversOwn)
        .isDirectory()
        .isEmptyDirectory()
        .startsWith(Path.of(System.getProperty("java.io.tmpdir")));
    assertThat(driversOwn.startsWith(state)).as(driversOwn.toString()).isFalse();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(driversOwn)))
        .isEqualTo("rwx------");
  }

  @Test
  void aKeptCopyThatDoesNotLoadLeavesTheDriverToExtractOutsideTheStateDirectory() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/self/maps")));
    SqliteNativeLibrary.useCopyIn(state);
    Path kept = Path.of(System.getProperty(PATH)).resolve(System.getProperty(NAME));
    Files.writeString(kept, "not a library"); // as one on a noexec mount: it does not load

    // A JVM of its own: this one has loaded the driver's library already.
    Command opened = openInAJvmOfItsOwn(state);

    assertThat(opened.status()).as(opened.err()).isZero();
    List<Path> loaded = opened.out().lines().map(Path::of).toList();
    assertThat(loaded)
        .as(opened.err())
        .isNotEmpty()
        .allSatisfy(
            library -> assertThat(library.startsWith(state)).as(library.toString()).isFalse());
    assertThat(Files.readString(kept)).isEqualTo("not a library");
  }

  @Test
  void onANoexecMountTheCopyIsNotPointedAtAndTheDriverLoadsItsOwnWithoutAWord() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/self/maps")));
    Path mount = state.resolve("noexec");
    Files.createDirectory(mount);
    // Needs the right to mount (root, as the CI runs): a state directory on a noexec file system.
    assumeTrue(
        Command.run("mount", "-t", "tmpfs", "-o", "noexec,size=64m", "tmpfs", mount.toString())
                .status()
            == 0);
    try {
      SqliteNativeLibrary.useCopyIn(mount);
      assertThat(System.getProperty(PATH))
          .as("the driver pointed at a copy it cannot map")
          .isNull();
      assertThat(System.getProperty(TMPDIR)).isNotNull();

      Command opened = openInAJvmOfItsOwn(mount);
      assertThat(opened.status()).as(opened.err()).isZero();
      assertThat(opened.err()).doesNotContain("Exception").doesNotContain("ERROR");
      assertThat(opened.out().lines().map(Path::of).toList())
          .isNotEmpty()
          .allSatisfy(library -> assertThat(library.startsWith(mount)).isFalse());
    } finally {
      Command.run("umount", mount.toString());
    }
  }

  /** {@link OpenStore} run on {@code dir} by a new JVM, which has loaded no SQLite library yet. */
  private static Command openInAJvmOfItsOwn(Path dir) throws IOException {
    return Command.run(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            OpenStore.class.getName(),
            dir.toString()),
        Map.of("PATH", "/usr/bin:/bin", "LC_ALL", "C.UTF-8"));
  }

  /** Opens a store in the directory {@code args[0]}; prints the SQLite libraries it mapped. */
  static final class OpenStore {
    private OpenStore() {}

    public static void main(String[] args) throws IOException {
      try (SqliteSeenUidStore store = SqliteSeenUidStore.open(Path.of(args[0], "state.db"))) {
        store.load(AccountKey.of("pop.example.com", 995, "alice"));
      }
      try (var maps = Files.lines(Path.of("/proc/self/maps"))) {
        maps.filter(line -> line.contains("sqlitejdbc"))
            .map(line -> line.substring(line.indexOf('/')))
            .distinct()
            .forEach(System.out::println);
      }
    }
  }

  @Test
  void onGlibcTheJarsLinuxFolderIsChosenAndOnMuslItsMuslFolder() {
    assumeTrue("Linux".equals(System.getProperty("os.name")));
    assumeFalse(System.getProperty("os.arch").startsWith("arm"));

    assertThat(SqliteNativeLibrary.jarFolder(false)).isEqualTo("Linux/" + OSInfo.getArchName());
    assertThat(SqliteNativeLibrary.jarFolder(true)).isEqualTo("Linux-Musl/" + OSInfo.getArchName());
  }

  @Test
  void aCopyKeptUnderGlibcIsNotTheOneUsedOnMusl() throws Exception {
    assumeTrue("Linux".equals(System.getProperty("os.name")));
    assumeFalse(System.getProperty("os.arch").startsWith("arm"));
    String name = System.mapLibraryName("sqlitejdbc");
    SqliteNativeLibrary.useCopyIn(state, false);
    Path glibc = Path.of(System.getProperty(PATH)).resolve(System.getProperty(NAME));
    System.clearProperty(PATH);
    System.clearProperty(NAME);

    SqliteNativeLibrary.useCopyIn(state, true);

    Path musl = Path.of(System.getProperty(PATH)).resolve(System.getProperty(NAME));
    assertThat(musl).isNotEqualTo(glibc).startsWith(state.resolve(".native"));
    assertThat(Files.readAllBytes(glibc)).isEqualTo(resource("Linux", name));
    assertThat(Files.readAllBytes(musl)).isEqualTo(resource("Linux-Musl", name));
  }

  /** The driver's library {@code name} for this processor in the jar folder {@code libc}. */
  private static byte[] resource(String libc, String name) throws IOException {
    try (InputStream in =
        SQLiteJDBCLoader.class.getResourceAsStream(
            "/org/sqlite/native/" + libc + "/" + OSInfo.getArchName() + "/" + name)) {
      assertThat(in).as(libc).isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void aDriverDirectoryChosenByWhoeverStartedUsIsLeftAlone() {
    System.setProperty(TMPDIR, "/var/tmp/elsewhere");
    SqliteNativeLibrary.useCopyIn(state);
    assertThat(System.getProperty(TMPDIR)).isEqualTo("/var/tmp/elsewhere");
  }

  @Test
  void aPathChosenByWhoeverStartedUsIsLeftAlone() {
    System.setProperty(PATH, "/usr/lib/somewhere");
    SqliteNativeLibrary.useCopyIn(state);
    assertThat(System.getProperty(PATH)).isEqualTo("/usr/lib/somewhere");
    assertThat(state.resolve(".native")).doesNotExist();
  }
}
