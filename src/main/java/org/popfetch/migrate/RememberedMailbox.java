package org.popfetch.migrate;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What another client remembers of one mailbox: the UIDs of the messages it fetched and left on the
 * server, and how the mailbox was named.
 *
 * @param format whose memory it is
 * @param source "FILE:LINE" where it starts, escaped for a terminal
 * @param server the server as that client was configured (fetchmail, mpop), or "" (getmail)
 * @param user the login (fetchmail, mpop), or "" (getmail)
 * @param fileKey getmail's file name ({@code oldmail-SERVER-PORT-USER}), or ""
 * @param uids each remembered message, in the file's order
 */
public record RememberedMailbox(
    SeenFormat format, String source, String server, String user, String fileKey, List<Uid> uids) {
  /** getmail's characters replaced by "-" in its file names. */
  private static final Pattern GETMAIL_STRIPPED = Pattern.compile("[/\\\\:;<>|]+");

  public RememberedMailbox {
    uids = List.copyOf(uids);
  }

  /**
   * One remembered message.
   *
   * @param since when that client first saw it, if it says
   */
  public record Uid(String uid, Optional<Instant> since) {}

  /**
   * Whether this is the mailbox of a popfetch account with this server, port and user. fetchmail
   * and mpop do not remember the port, so any port matches; getmail's file name holds all three.
   */
  public boolean matches(String accountServer, int port, String accountUser) {
    if (format == SeenFormat.GETMAIL) {
      String expected =
          GETMAIL_STRIPPED
              .matcher("oldmail-" + accountServer + "-" + port + "-" + accountUser)
              .replaceAll("-");
      return fileKey.equals(expected) || fileKey.equalsIgnoreCase(expected);
    }
    return user.equals(accountUser)
        && server.toLowerCase(Locale.ROOT).equals(accountServer.toLowerCase(Locale.ROOT));
  }

  /** How the mailbox is named in messages: "user@server" or the getmail file name. */
  public String label() {
    return format == SeenFormat.GETMAIL ? fileKey : user + "@" + server;
  }
}
