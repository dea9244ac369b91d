package org.popfetch.smtp;

import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Commands and their replies, in order: the way a transaction is sent. With PIPELINING (RFC 2920)
 * or LMTP the commands go out ahead of their replies, which are read in order, after one flush,
 * when the first is needed; otherwise each command waits for its reply. The transaction itself is
 * written once and runs either way.
 *
 * <p>A 421 reply to a command sent ahead ends the session (RFC 5321 section 3.8): the replies to
 * the rest of the group will never come, so it is thrown as a {@link SmtpReplyException} at once.
 * One at a time, a 421 is an answer like any other (some servers, aiosmtpd among them, refuse one
 * recipient with 421 and carry on).
 */
final class SmtpExchange {
  private final SmtpConnection connection;
  private final boolean ahead;
  private final Queue<Pending> unread = new ArrayDeque<>();

  SmtpExchange(SmtpConnection connection, boolean ahead) {
    this.connection = connection;
    this.ahead = ahead;
  }

  /** True when commands go out ahead of their replies. */
  boolean ahead() {
    return ahead;
  }

  /** Writes {@code line}; one at a time, also flushes it and reads its reply. */
  Pending send(String line) throws SmtpException {
    connection.write(line, line);
    Pending pending = new Pending(line);
    unread.add(pending);
    if (!ahead) {
      pending.reply();
    }
    return pending;
  }

  /** A command sent whose reply may not have been read yet. */
  final class Pending {
    private final String command;
    private SmtpReply reply;

    private Pending(String command) {
      this.command = command;
    }

    String command() {
      return command;
    }

    /**
     * The reply, reading (after a flush) those to the commands before it first.
     *
     * @throws SmtpReplyException if one of them is 421 and commands were sent ahead; the connection
     *     is then closed
     */
    SmtpReply reply() throws SmtpException {
      if (reply == null) {
        connection.flush(command);
      }
      while (reply == null) {
        Pending next = unread.remove();
        next.reply = connection.readReply(next.command);
        if (ahead && next.reply.code() == 421) {
          connection.close();
          throw new SmtpReplyException(connection.peer(), next.command, next.reply);
        }
      }
      return reply;
    }
  }
}
