package org.popfetch.fetch;

import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import org.popfetch.message.Envelope;
import org.popfetch.message.TextMessage;
import org.popfetch.message.TraceHeaders;
import org.popfetch.net.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the mailbox's owner, once, that popfetch can no longer log in, as fetchmail does: a changed
 * password otherwise shows only as mail that stopped arriving. The notice goes where the account's
 * mail goes, after {@code after} refused logins in a row; no further notice follows until a login
 * succeeds.
 */
public final class AuthFailureNotice {
  private static final Logger LOG = LoggerFactory.getLogger(AuthFailureNotice.class);

  /** Opens the account's destination for the one message. */
  public interface Opener {
    Destination open() throws DeliveryException;
  }

  private final Pop3Account account;
  private final int after;
  private final String localHost;
  private final Clock clock;
  private int failures;
  private boolean sent;

  /** {@code after} of 0 never sends. */
  public AuthFailureNotice(Pop3Account account, int after, String localHost, Clock clock) {
    this.account = account;
    this.after = after;
    this.localHost = localHost;
    this.clock = clock;
  }

  /**
   * A login was refused; the server's words go into the notice, delivered to what {@code opener}
   * opens. A notice that cannot be delivered is logged and tried again at the next refusal.
   *
   * @return whether this call delivered the notice
   */
  public synchronized boolean refused(String serverSaid, Opener opener) {
    failures++;
    if (after == 0 || sent || failures < after) {
      return false;
    }
    try {
      byte[] message = message(serverSaid);
      Destination d = opener.open();
      Destination.Staged staged = d.stage(incoming(), new ByteArrayInputStream(message));
      d.commit(List.of(staged));
      sent = true;
      LOG.warn(
          "{}: login refused {} times in a row; told {} ({})",
          account.name(),
          failures,
          account.mailbox(),
          d.describe());
      return true;
    } catch (DeliveryException | IllegalArgumentException e) {
      // Tried again at the next refusal: a notice is worth a retry, not a lost poll.
      LOG.error(
          "{}: could not deliver the login-failure notice: {}",
          account.name(),
          LogText.sanitize(String.valueOf(e.getMessage())));
      return false;
    }
  }

  /** Refused logins in a row before the notice goes. */
  public int after() {
    return after;
  }

  public synchronized void succeeded() {
    failures = 0;
    sent = false;
  }

  private Incoming incoming() {
    Envelope envelope = new Envelope("", account.mailbox());
    return new Incoming(account.name(), envelope, TraceHeaders.NONE);
  }

  private byte[] message(String serverSaid) {
    String body =
        """
        popfetch could not log in to the account "%s" (%s at %s:%d)
        %d times in a row. The server said:

            %s

        The mail waiting there stays on the server. popfetch keeps trying, less
        often, and sends no further notice until a login succeeds. If the password
        or token changed, update the configuration; it is reloaded when saved. If
        popfetch keeps the account's OAuth tokens itself (oauth:), run
        popfetch oauth login %s instead.
        """
            .formatted(
                account.name(),
                account.credentialSource().user(),
                account.settings().host(),
                account.settings().port(),
                failures,
                oneLine(serverSaid),
                account.name());
    return new TextMessage()
        .structured("From", "popfetch <MAILER-DAEMON@" + localHost + ">")
        .structured("To", "<" + account.mailbox() + ">")
        .text("Subject", "popfetch: login refused for " + account.name())
        .date("Date", clock.instant(), ZoneId.systemDefault())
        .structured("Message-ID", "<" + UUID.randomUUID() + ".authfail@" + localHost + ">")
        .structured("Auto-Submitted", "auto-generated")
        .toBytes(body);
  }

  /** The server's words, one printable line (a hostile server could otherwise write headers). */
  private static String oneLine(String s) {
    String clean = s.replaceAll("[\\p{Cntrl}&&[^\t]]", " ").strip();
    return clean.length() > 500 ? clean.substring(0, 500) + "..." : clean;
  }
}
