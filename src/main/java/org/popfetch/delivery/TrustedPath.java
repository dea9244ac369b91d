package org.popfetch.delivery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Where a configured mailbox path really is, split where other users' control begins.
 *
 * <p>The path as the configuration names it was written by the admin, and may go through symbolic
 * links the admin made ({@code /home -> /srv/home}). But popfetch may run as root and deliver into
 * directories users own, and a user who owns {@code /home/alice} can replace {@code Maildir} with a
 * link to {@code /etc} at any moment. So the path is walked from "/" without following anything,
 * and a link is followed only while nobody else can have put it there: every directory so far, and
 * the one holding the link, belongs to root or to popfetch's own user and is writable by nobody
 * else (or is sticky, like {@code /tmp}, and the entry belongs to root or popfetch's user). The
 * deepest directory reached that way is the {@link #anchor}, which can be opened by its name;
 * everything {@link #below} it is opened one name at a time through {@link DirectoryHandle}, where
 * a link is always refused.
 *
 * @param anchor an absolute path without links that only root or popfetch's user can change
 * @param below the names from the anchor down to the configured directory, some perhaps missing
 */
record TrustedPath(Path anchor, List<String> below) {
  private static final int MAX_LINKS = 40; // as Linux's own limit on links in one lookup
  private static final int GROUP_OR_OTHERS_WRITE = 0022;
  private static final int STICKY = 01000;

  TrustedPath {
    below = List.copyOf(below);
  }

  /**
   * Walks {@code configured} (made absolute and normalised first).
   *
   * @throws UnsafePathException if it goes through a link someone else could have planted
   * @throws IOException if a part of it that exists is not a directory, or cannot be read
   */
  static TrustedPath locate(Path configured) throws IOException {
    Deque<String> remaining = names(configured.toAbsolutePath().normalize());
    Path current = configured.getFileSystem().getPath("/");
    Map<String, Object> dir = unix(current);
    int links = 0;
    while (!remaining.isEmpty()) {
      String name = remaining.peekFirst();
      Path next = current.resolve(name);
      Map<String, Object> entry;
      try {
        entry = unix(next);
      } catch (NoSuchFileException missing) {
        break; // to be created under current, which is ours to trust
      }
      boolean guarded = closed(dir) || sticky(dir) && trusted(dir) && trusted(entry);
      if (!guarded) {
        break; // another user may change this entry at any time: handles from here on
      }
      remaining.removeFirst();
      if (isLink(entry)) {
        if (++links > MAX_LINKS) {
          throw new IOException("too many symbolic links in " + configured);
        }
        Deque<String> resolved = names(current.resolve(Files.readSymbolicLink(next)).normalize());
        while (!remaining.isEmpty()) {
          resolved.addLast(remaining.removeFirst());
        }
        remaining = resolved;
        current = current.getRoot();
        dir = unix(current);
        continue;
      }
      if (!isDirectory(entry)) {
        throw new IOException(next + " is not a directory");
      }
      current = next;
      dir = entry;
    }
    return new TrustedPath(current, new ArrayList<>(remaining));
  }

  /** The configured directory, as reached from the anchor. */
  Path path() {
    Path p = anchor;
    for (String name : below) {
      p = p.resolve(name);
    }
    return p;
  }

  private static Deque<String> names(Path absolute) {
    Deque<String> out = new ArrayDeque<>();
    for (Path name : absolute) {
      out.addLast(name.toString());
    }
    return out;
  }

  private static Map<String, Object> unix(Path p) throws IOException {
    return Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
  }

  /** Owned by root or by us. */
  private static boolean trusted(Map<String, Object> a) {
    int uid = (Integer) a.get("uid");
    return uid == 0 || uid == Identity.uid();
  }

  /** Nobody but root or us can add, remove or rename entries in it. */
  private static boolean closed(Map<String, Object> dir) {
    return trusted(dir) && ((Integer) dir.get("mode") & GROUP_OR_OTHERS_WRITE) == 0;
  }

  private static boolean sticky(Map<String, Object> dir) {
    return ((Integer) dir.get("mode") & STICKY) != 0;
  }

  private static boolean isLink(Map<String, Object> a) {
    return ((Integer) a.get("mode") & 0170000) == 0120000;
  }

  private static boolean isDirectory(Map<String, Object> a) {
    return ((Integer) a.get("mode") & 0170000) == 0040000;
  }
}
