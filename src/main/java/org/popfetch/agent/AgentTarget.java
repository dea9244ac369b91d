package org.popfetch.agent;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import org.popfetch.agent.AgentProtocol.AgentProtocolException;
import org.popfetch.net.LogText;

/**
 * The mailbox a session delivers to, as the configuration names it: a Maildir (and maybe one of its
 * Maildir++ folders) or an mbox. Checked when made, on both sides of the stream: an absolute path
 * without ".." or "." components, control characters or NUL, at most {@link #MAX_PATH} octets; a
 * folder is one name starting with "." (".Lists.dev"), of a Maildir only.
 */
record AgentTarget(Kind kind, Path path, String folder) {
  static final int MAX_PATH = 4096;
  static final int MAX_FOLDER = 255;

  enum Kind {
    MAILDIR("maildir"),
    MBOX("mbox");

    final String key;

    Kind(String key) {
      this.key = key;
    }
  }

  /**
   * @throws IllegalArgumentException if the path or folder is not one the agent accepts, saying why
   */
  AgentTarget {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(folder, "folder");
    String p = path.toString();
    if (!path.isAbsolute()) {
      throw new IllegalArgumentException("not an absolute path: " + p);
    }
    if (p.getBytes(StandardCharsets.UTF_8).length > MAX_PATH) {
      throw new IllegalArgumentException("a path of more than " + MAX_PATH + " octets");
    }
    if (hasControl(p)) {
      throw new IllegalArgumentException("a control character in the path");
    }
    for (Path part : path) {
      if (part.toString().equals("..") || part.toString().equals(".")) {
        throw new IllegalArgumentException("a . or .. component in " + p);
      }
    }
    if (!folder.isEmpty()) {
      if (kind != Kind.MAILDIR) {
        throw new IllegalArgumentException("a folder belongs to a Maildir");
      }
      if (!folder.startsWith(".")
          || folder.equals(".")
          || folder.equals("..")
          || folder.contains("/")
          || hasControl(folder)
          || folder.getBytes(StandardCharsets.UTF_8).length > MAX_FOLDER) {
        throw new IllegalArgumentException("not a Maildir++ folder name");
      }
    }
  }

  static AgentTarget maildir(Path path) {
    return new AgentTarget(Kind.MAILDIR, path, "");
  }

  static AgentTarget mbox(Path path) {
    return new AgentTarget(Kind.MBOX, path, "");
  }

  /** For logs: "maildir /home/alice/Maildir/.Lists". */
  String describe() {
    return kind.key + " " + (folder.isEmpty() ? path : path.resolve(folder));
  }

  /** The payload of an OPEN frame: version, kind, path, folder, separated by NUL. */
  byte[] encode() {
    return String.join("\0", AgentProtocol.VERSION, kind.key, path.toString(), folder)
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads an OPEN frame's payload.
   *
   * @throws AgentProtocolException if it is not version 1 with four fields, or names a target the
   *     agent does not accept
   */
  static AgentTarget decode(byte[] payload) throws AgentProtocolException {
    String[] f = new String(payload, StandardCharsets.UTF_8).split("\0", -1);
    if (f.length != 4) {
      throw new AgentProtocolException("a destination of " + f.length + " fields, not 4");
    }
    if (!AgentProtocol.VERSION.equals(f[0])) {
      throw new AgentProtocolException(
          "protocol version " + LogText.sanitize(f[0], 40) + " (this is 1)");
    }
    Kind kind = null;
    for (Kind k : Kind.values()) {
      if (k.key.equals(f[1])) {
        kind = k;
      }
    }
    if (kind == null) {
      throw new AgentProtocolException("unknown destination kind " + LogText.sanitize(f[1], 40));
    }
    try {
      return new AgentTarget(kind, Path.of(f[2]), f[3]);
    } catch (IllegalArgumentException e) {
      throw new AgentProtocolException("refusing " + kind.key + ": " + e.getMessage());
    }
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }
}
