package org.popfetch.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.popfetch.delivery.MaildirDestination;
import org.popfetch.delivery.MboxDestination;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;

/**
 * The agent's mailboxes: the ordinary {@link MaildirDestination} and {@link MboxDestination},
 * opened with the agent's own rights, so they can do only what the user could.
 *
 * <p>An mbox is appended to, and an append of text that a client chose to a file that is not a
 * mailbox (a shell's start-up file, say) would let whoever reaches the agent's socket act as the
 * user. So the agent appends only to a file that is a mailbox or none yet: no component of the path
 * may start with "." (no ~/.profile, no ~/.ssh/...), and an existing file must be empty or begin
 * with "From ". A Maildir needs no such rule: only files in tmp/, new/ and cur/ are ever created.
 */
final class MailboxOpener implements AgentSession.Opener {
  private final Path spoolDir;
  private final String hostName;

  MailboxOpener(Path spoolDir, String hostName) {
    this.spoolDir = spoolDir;
    this.hostName = hostName;
  }

  @Override
  public Destination open(AgentTarget target) throws DeliveryException {
    return switch (target.kind()) {
      case MAILDIR -> MaildirDestination.folder(target.path(), target.folder(), hostName);
      case MBOX -> {
        checkMbox(target.path());
        yield new MboxDestination(target.path(), spoolDir);
      }
    };
  }

  /**
   * @throws DeliveryException permanent, the mail staying on the server, if the path is not one the
   *     agent appends to
   */
  static void checkMbox(Path mbox) throws DeliveryException {
    for (Path part : mbox) {
      if (part.toString().startsWith(".")) {
        throw DeliveryException.rejected(
            "refusing mbox "
                + mbox
                + ": the delivery agent appends to no hidden file or directory ("
                + part
                + ")");
      }
    }
    if (Files.isRegularFile(mbox, LinkOption.NOFOLLOW_LINKS)) {
      byte[] head;
      try (InputStream in = Files.newInputStream(mbox, LinkOption.NOFOLLOW_LINKS)) {
        head = in.readNBytes(5);
      } catch (IOException e) {
        return; // the mbox itself will say what is wrong
      }
      if (head.length > 0 && !new String(head, StandardCharsets.ISO_8859_1).equals("From ")) {
        throw DeliveryException.rejected(
            "refusing mbox " + mbox + ": it is not empty and does not start with \"From \"");
      }
    }
  }
}
