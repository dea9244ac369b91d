package org.popfetch.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.OSInfo;

/**
 * Keeps the SQLite driver's native library in the state directory, so that a start does not extract
 * it to /tmp again (a few hundred milliseconds of every poll otherwise). The copy lives in a
 * directory only popfetch's user can write, named after the driver version and platform; anything
 * going wrong here leaves the driver to its usual extraction.
 */
final class SqliteNativeLibrary {
  private SqliteNativeLibrary() {}

  static void useCopyIn(Path stateDir) {
    if (System.getProperty("org.sqlite.lib.path") != null) {
      return; // chosen by whoever started us
    }
    try {
      String folder = OSInfo.getNativeLibFolderPathForCurrentOS();
      String name = System.mapLibraryName("sqlitejdbc");
      Path dir =
          stateDir
              .resolve(".native")
              .resolve("sqlite-" + SQLiteJDBCLoader.getVersion() + "-" + folder.replace('/', '-'));
      Path library = dir.resolve(name);
      if (!Files.isRegularFile(library)) {
        try (InputStream in =
            SQLiteJDBCLoader.class.getResourceAsStream(
                "/org/sqlite/native/" + folder + "/" + name)) {
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
    } catch (IOException | RuntimeException e) {
      // The driver extracts its own copy, as it would have anyway.
    }
  }
}
