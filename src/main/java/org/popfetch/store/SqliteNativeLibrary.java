package org.popfetch.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.OSInfo;

/**
 * Keeps the SQLite driver's native library in the state directory, so that a start does not extract
 * it to /tmp again (a few hundred milliseconds of every poll otherwise). The copy lives in a
 * directory only popfetch's user can write, named after the driver version and the platform as the
 * JVM names it; anything going wrong here leaves the driver to its usual extraction, and so does a
 * kept copy that does not load (the driver tries its own after the one it was pointed at).
 */
final class SqliteNativeLibrary {
  private SqliteNativeLibrary() {}

  static void useCopyIn(Path stateDir) {
    if (System.getProperty("org.sqlite.lib.path") != null) {
      return; // chosen by whoever started us
    }
    try {
      String name = System.mapLibraryName("sqlitejdbc");
      // Not named after the driver's own platform folder: the driver finds that (OSInfo) by
      // running `uname -o` in a child process, a fork of the JVM at every start. It is asked only
      // when there is no copy yet, and only off glibc Linux, to know which library to copy.
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
                          + System.getProperty("os.arch")));
      Path library = dir.resolve(name);
      if (!Files.isRegularFile(library)) {
        InputStream found = glibcLinuxLibrary(name);
        try (InputStream in =
            found != null
                ? found
                : SQLiteJDBCLoader.class.getResourceAsStream(
                    "/org/sqlite/native/"
                        + OSInfo.getNativeLibFolderPathForCurrentOS()
                        + "/"
                        + name)) {
          if (in == null) {
            return;
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
      System.setProperty("org.sqlite.lib.path", dir.toString());
      System.setProperty("org.sqlite.lib.name", name);
      if (System.getProperty("org.sqlite.tmpdir") == null) {
        // The driver's own directory for its extractions: before loading it lists it for copies
        // that older versions left, which in /tmp is a walk over every file there at each start.
        // Here it holds the kept copy alone, and an extraction, should the copy not load, stays
        // in this private directory.
        System.setProperty("org.sqlite.tmpdir", dir.toString());
      }
    } catch (IOException | RuntimeException e) {
      // The driver extracts its own copy, as it would have anyway.
    }
  }

  /**
   * The driver's library for Linux with glibc on this processor, or null where the driver's own
   * lookup must decide: 32-bit ARM (whose float ABI the driver asks {@code uname -m} for) and
   * Android. The driver's lookup ({@code OSInfo.getNativeLibFolderPathForCurrentOS}) also tells
   * musl and Termux from glibc by listing the process's mapped files and running {@code uname -o}
   * in a child process: a fork of the JVM at every start with a new state directory (each first
   * poll, each test of a new state). It is not asked here: the jar holds no musl or Android
   * library, and a glibc library that does not load there is one the driver replaces with its own
   * extraction, as before.
   */
  private static InputStream glibcLinuxLibrary(String name) {
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
    return SQLiteJDBCLoader.class.getResourceAsStream(
        "/org/sqlite/native/Linux/" + OSInfo.getArchName() + "/" + name);
  }

  /** {@code name} as one file name: what the JVM reports, with anything but [A-Za-z0-9._-] as _. */
  private static String safe(String name) {
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
