package org.popfetch.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.OSInfo;

/**
 * Keeps the SQLite driver's native library in the state directory, so that a start does not extract
 * it to /tmp again (a few hundred milliseconds of every poll otherwise). The copy lives in a
 * directory only popfetch's user can write, named after the driver version, the platform as the JVM
 * names it and, on Linux with musl, the C library; anything going wrong here leaves the driver to
 * its usual extraction, and so does a kept copy that does not load (the driver tries its own after
 * the one it was pointed at).
 */
final class SqliteNativeLibrary {
  private static final String TMPDIR = "org.sqlite.tmpdir";

  private SqliteNativeLibrary() {}

  static void useCopyIn(Path stateDir) {
    if (System.getProperty("org.sqlite.lib.path") != null) {
      return; // chosen by whoever started us
    }
    // The driver's musl check reads /proc/self/map_files (or /etc/os-release), starting no
    // process. It is asked at every start: a state directory used under glibc and then under musl
    // (a volume moved to an Alpine container) must not hand the glibc copy to musl.
    useCopyIn(stateDir, "Linux".equals(System.getProperty("os.name")) && OSInfo.isMusl());
  }

  /**
   * Whether {@code library} can be mapped to run: not on a file system mounted noexec (a /home or
   * /var/lib so mounted by a hardening guide), where the driver would fail on the copy, log it with
   * its stack trace at every start, and then extract its own copy anyway. The kernel answers an
   * execute-access check with "no" for any file on such a mount, so the copy is given the execute
   * bit (a copy kept before had none) and asked; one access call, no mount table read.
   */
  private static boolean loadable(Path library) throws IOException {
    if (!Files.isExecutable(library)) {
      Files.setPosixFilePermissions(library, PosixFilePermissions.fromString("rwx------"));
    }
    return Files.isExecutable(library);
  }

  /** As {@link #useCopyIn(Path)}, {@code onMusl} telling whether Linux's C library is musl. */
  static void useCopyIn(Path stateDir, boolean onMusl) {
    if (System.getProperty("org.sqlite.lib.path") != null) {
      return; // chosen by whoever started us
    }
    try {
      String name = System.mapLibraryName("sqlitejdbc");
      // Not named after the driver's own platform folder: the driver finds that (OSInfo) by
      // running `uname -o` in a child process, a fork of the JVM at every start. It is asked only
      // when there is no copy yet, and only where jarFolder cannot tell, to know what to copy.
      Path dir =
          stateDir
              .resolve(".native")
              .resolve(
                  safe(
                      "sqlite-"
                          + SQLiteJDBCLoader.getVersion()
                          + "-"
                          + System.getProperty("os.name")
                          + "-"
                          + System.getProperty("os.arch")
                          + (onMusl ? "-musl" : "")));
      Path library = dir.resolve(name);
      if (!Files.isRegularFile(library)) {
        String folder = jarFolder(onMusl);
        try (InputStream in =
            SQLiteJDBCLoader.class.getResourceAsStream(
                "/org/sqlite/native/"
                    + (folder != null ? folder : OSInfo.getNativeLibFolderPathForCurrentOS())
                    + "/"
                    + name)) {
          if (in == null) {
            return; // not in this jar (the package's has no musl library): the driver decides
          }
          Files.createDirectories(
              dir,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
          Path tmp = Files.createTempFile(dir, name, ".tmp");
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
          Files.move(
              tmp, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      if (loadable(library)) {
        System.setProperty("org.sqlite.lib.path", dir.toString());
        System.setProperty("org.sqlite.lib.name", name);
      }
      if (System.getProperty(TMPDIR) == null) {
        // Without it (the name taken, no java.io.tmpdir) the driver uses java.io.tmpdir itself.
        System.setProperty(TMPDIR, emptyPrivateDirectory().toString());
      }
    } catch (IOException | RuntimeException e) {
      // The driver extracts its own copy, as it would have anyway.
    }
  }

  /**
   * A new directory for the driver's own extraction, made for this process alone under
   * java.io.tmpdir (rwx------, removed at exit). Before loading, the driver lists its directory for
   * copies older versions left: in /tmp that is every file there, at each start. It extracts there
   * only when the kept copy does not load, which is also what happens when the state directory is
   * on a noexec mount (STIG's /home, a hardened /var/lib): so never the kept copy's directory,
   * which would fail the same way.
   */
  private static Path emptyPrivateDirectory() throws IOException {
    // Made by mkdir, which fails on anything already there (a link included): the directory is
    // this process's own whatever its name. Not by createTempDirectory, whose names need the
    // process's first SecureRandom (security providers and a digest set up, about 12 ms of CPU
    // in a new JVM); a random part still keeps others from taking the name first.
    Path dir =
        Files.createDirectory(
            Path.of(System.getProperty("java.io.tmpdir"))
                .resolve(
                    "popfetch-sqlite-"
                        + ProcessHandle.current().pid()
                        + "-"
                        + Long.toHexString(ThreadLocalRandom.current().nextLong())),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    // Registered before the driver registers its extraction, so removed after it (reverse order).
    dir.toFile().deleteOnExit();
    return dir;
  }

  /**
   * The jar folder ({@code Linux/x86_64}, {@code Linux-Musl/aarch64}) of the driver's library for
   * Linux on this processor with glibc or, if {@code musl}, with musl; or null where the driver's
   * own lookup must decide: 32-bit ARM (whose float ABI the driver asks {@code uname -m} for),
   * Android, and anything but Linux. The driver's lookup ({@code
   * OSInfo.getNativeLibFolderPathForCurrentOS}) also runs {@code uname -o} in a child process for
   * Termux: a fork of the JVM at every start with a new state directory (each first poll, each test
   * of a new state). The driver's jar has musl libraries for x86, x86_64 and aarch64 (popfetch's
   * package drops them); a glibc library must never be chosen on musl, where it loads (musl answers
   * for libc.so.6) with symbols unresolved and can crash the JVM later instead of failing now.
   */
  static String jarFolder(boolean musl) {
    String arch = System.getProperty("os.arch", "");
    if (!"Linux".equals(System.getProperty("os.name"))
        || arch.startsWith("arm")
        || System.getProperty("java.runtime.name", "")
            .toLowerCase(Locale.ROOT)
            .contains("android")) {
      return null;
    }
    // Without a process: for anything but 32-bit ARM, the driver's name of the processor is
    // os.arch mapped by a table (amd64 is x86_64).
    return (musl ? "Linux-Musl/" : "Linux/") + OSInfo.getArchName();
  }

  /** {@code name} as one file name: what the JVM reports, with anything but [A-Za-z0-9._-] as _. */
  private static String safe(String name) {
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
