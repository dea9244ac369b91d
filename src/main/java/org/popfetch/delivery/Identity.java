package org.popfetch.delivery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Who popfetch runs as, for the decisions that differ when it runs as root. */
public final class Identity {
  private Identity() {}

  /** Whether popfetch runs as root (uid 0). */
  public static boolean isRoot() {
    int uid = uid();
    return uid >= 0 ? uid == 0 : "root".equals(System.getProperty("user.name"));
  }

  /** The user id popfetch runs as, or -1 where the platform does not say. */
  public static int uid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return -1;
    }
  }

  /** A user's passwd entry: name, uid, gid, home. */
  public record Account(String name, int uid, int gid, String home) {}

  /** Looks a user up through the system's name service (getent), as login does. */
  public static Account lookup(String name) throws IOException {
    Process p =
        new ProcessBuilder("/usr/bin/getent", "passwd", name).redirectErrorStream(true).start();
    String line;
    try {
      line = new String(p.getInputStream().readAllBytes()).strip();
      if (p.waitFor() != 0 || line.isEmpty()) {
        throw new IOException("no such user: " + name);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted looking up " + name, e);
    }
    String[] f = line.split(":", -1);
    if (f.length < 7) {
      throw new IOException("unreadable passwd entry for " + name);
    }
    return new Account(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5]);
  }
}
