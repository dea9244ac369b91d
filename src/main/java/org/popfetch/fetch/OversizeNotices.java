package org.popfetch.fetch;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.popfetch.message.Envelope;
import org.popfetch.message.HeaderFields;
import org.popfetch.message.TextMessage;
import org.popfetch.message.TraceHeaders;
import org.popfetch.net.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a mailbox's owner of messages left on the server for being too large (max-size with {@code
 * action: notice}): one short mail per message, naming its sender, subject and size, delivered to
 * the account's destination like any other mail (staged, committed, durable) and only then recorded
 * as OVERSIZE, so a notice is sent once, and one that could not be delivered is tried again at the
 * next poll. The message itself stays on the server whatever becomes of its notice.
 */
final class OversizeNotices {
  private static final Logger LOG = LoggerFactory.getLogger(OversizeNotices.class);

  /** Characters of a sender or subject a notice quotes. */
  static final int MAX_QUOTED = 200;

  private final Pop3Account account;
  private final Destination destination;
  private final SeenUidStore store;
  private final String localHost;
  private final Clock clock;

  OversizeNotices(
      Pop3Account account,
      Destination destination,
      SeenUidStore store,
      String localHost,
      Clock clock) {
    this.account = account;
    this.destination = destination;
    this.store = store;
    this.localHost = localHost;
    this.clock = clock;
  }

  /**
   * Delivers one notice for each message, commits them together, then records each message as
   * OVERSIZE.
   *
   * @return how many were sent, or the delivery failure (then none is recorded, and all are tried
   *     again at the next poll)
   * @throws IOException if the store cannot be written after the notices were delivered (they are
   *     then sent again next time: a duplicate notice, never a lost one)
   */
  Result send(List<PreDownload.Judged> messages) throws IOException {
    if (messages.isEmpty()) {
      return new Result(0, Optional.empty());
    }
    List<Destination.Staged> staged = new ArrayList<>();
    try {
      for (PreDownload.Judged j : messages) {
        byte[] notice = notice(j);
        HeaderFields header = HeaderFields.read(new ByteArrayInputStream(notice)).header();
        Incoming incoming =
            new Incoming(
                account.name(), new Envelope("", account.mailbox()), TraceHeaders.NONE, header);
        staged.add(destination.stage(incoming, new ByteArrayInputStream(notice)));
      }
      destination.commit(staged);
    } catch (DeliveryException e) {
      destination.discard(staged);
      String why = "oversize notice to " + destination.describe() + ": " + e.getMessage();
      LOG.warn(
          "{}: {}; the messages stay on the server and are noticed at the next poll",
          account.name(),
          LogText.sanitize(why));
      return new Result(0, Optional.of(new PollFailure(PollFailure.Kind.DELIVERY, why)));
    }
    List<SeenUid> noticed = new ArrayList<>();
    for (PreDownload.Judged j : messages) {
      if (j.entry().tracked()) {
        noticed.add(
            new SeenUid(j.entry().uid(), UidState.OVERSIZE, clock.instant(), j.entry().size()));
      }
      LOG.info(
          "{}: message {} ({} octets, from {}, subject {}) is too large; left on the server,"
              + " {} told",
          account.name(),
          j.entry().number(),
          j.entry().size(),
          LogText.sanitize(j.decision().sender().orElse("?")),
          LogText.sanitize(j.decision().subject().orElse("?")),
          account.mailbox());
    }
    store.record(account.key(), noticed);
    return new Result(messages.size(), Optional.empty());
  }

  /** What sending came to: notices delivered, or why none was. */
  record Result(int sent, Optional<PollFailure> failure) {}

  private byte[] notice(PreDownload.Judged j) {
    Decision d = j.decision();
    String sender = d.sender().map(s -> s.isEmpty() ? "<> (a bounce)" : s).orElse("(not known)");
    String subject = d.subject().orElse("(not known)");
    String rule = d.rule().isEmpty() ? "max-size" : d.rule();
    String body =
        """
        A message in the account "%s" (%s at %s) is larger than popfetch
        is set to fetch, so it was left on the server:

            From:    %s
            Subject: %s
            Size:    %d octets
            Limit:   %s

        Read it with the provider's webmail or another client, or raise the
        limit. This notice is sent once for this message.
        """
            .formatted(
                account.name(),
                account.credentialSource().user(),
                account.settings().host(),
                quoted(sender),
                quoted(subject),
                j.entry().size(),
                quoted(rule));
    return new TextMessage()
        .structured("From", "popfetch <MAILER-DAEMON@" + localHost + ">")
        .structured("To", "<" + account.mailbox() + ">")
        .text("Subject", "popfetch: too large, left on the server: " + quoted(subject))
        .date("Date", clock.instant(), ZoneId.systemDefault())
        .structured("Message-ID", "<" + UUID.randomUUID() + ".oversize@" + localHost + ">")
        .structured("Auto-Submitted", "auto-generated")
        .toBytes(body);
  }

  /** A value from the message, one line, bounded (header values carry no controls already). */
  private static String quoted(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", " ").strip();
    return clean.length() > MAX_QUOTED ? clean.substring(0, MAX_QUOTED) + "..." : clean;
  }
}
