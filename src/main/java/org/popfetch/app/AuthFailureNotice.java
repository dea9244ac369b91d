package org.popfetch.app;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.fetch.Pop3Account;
import org.popfetch.message.Envelope;
import org.popfetch.message.TraceHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the mailbox's owner, once, that popfetch can no longer log in, as fetchmail does: a
 * changed password otherwise shows only as mail that stopped arriving. The notice goes where the
 * account's mail goes, after {@code after} refused logins in a row; no further notice follows
 * until a login succeeds.
 */
final class AuthFailureNotice {
  private static final Logger LOG = LoggerFactory.getLogger(AuthFailureNotice.class);

  /** Opens the account's destination for the one message. */
  interface Opener {
    Destination open() throws DeliveryException;
  }

  private final Pop3Account account;
  private final int after;
  private final String localHost;
  private final Clock clock;
  private int failures;
  private boolean sent;

  /** {@code after} of 0 never sends. */
  AuthFailureNotice(Pop3Account account, int after, String localHost, Clock clock) {
    this.account = account;
    this.after = after;
    this.localHost = localHost;
    this.clock = clock;
  }

  /**
   * A login was refused; the server's words go into the notice, delivered to what {@code
   * opener} opens.
   *
   * @return whether this call delivered the notice
   */
  synchronized boolean refused(String serverSaid, Opener opener) {
    failures++;
    if (after == 0 || sent || failures < after) {
      return false;
    }
    try {
      Destination d = opener.open();
      Destination.Staged staged = d.stage(incoming(), new ByteArrayInputStream(message(serverSaid)));
      d.commit(List.of(staged));
      sent = true;
      LOG.warn("{}: login refused {} times in a row; told {} ({})", account.name(), failures, account.mailbox(), d.describe());
      return true;
    } catch (DeliveryException e) {
      // Tried again at the next refusal: a notice is worth a retry, not a lost poll.
      LOG.error("{}: could not deliver the login-failure notice: {}", account.name(), e.getMessage());
      return false;
    }
  }

  /** Refused logins in a row before the notice goes. */
  int after() {
    return after;
  }

  synchronized void succeeded() {
    failures = 0;
    sent = false;
  }

  private Incoming incoming() {
    Envelope envelope = new Envelope("", account.mailbox());
    return new Incoming(account.name(), envelope, TraceHeaders.NONE);
  }

  private byte[] message(String serverSaid) {
    String host = account.settings().host();
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(clock.withZone(ZoneId.systemDefault())));
    String body = """
        popfetch could not log in to the account "%s" (%s at %s:%d)
        %d times in a row. The server said:

            %s

        The mail waiting there stays on the server. popfetch keeps trying, less
        often, and sends no further notice until a login succeeds. If the password
        or token changed, update the configuration; it is reloaded when saved.
        """.formatted(account.name(), account.credentials().user(), host, account.settings().port(), failures,
            oneLine(serverSaid));
    String text = "From: popfetch <MAILER-DAEMON@" + localHost + ">\r\n"
        + "To: <" + account.mailbox() + ">\r\n"
        + "Subject: popfetch: login refused for " + account.name() + "\r\n"
        + "Date: " + date + "\r\n"
        + "Message-ID: <" + UUID.randomUUID() + ".authfail@" + localHost + ">\r\n"
        + "Auto-Submitted: auto-generated\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\n"
        + "Content-Transfer-Encoding: 8bit\r\n"
        + "\r\n"
        + body.replace("\n", "\r\n");
    return text.getBytes(UTF_8);
  }

  /** The server's words, one printable line (a hostile server could otherwise write headers). */
  private static String oneLine(String s) {
    String clean = s.replaceAll("[\\p{Cntrl}&&[^\t]]", " ").strip();
    return clean.length() > 500 ? clean.substring(0, 500) + "..." : clean;
  }
}
