package org.popfetch.delivery;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.popfetch.fetch.Incoming;
import org.popfetch.message.Envelope;
import org.popfetch.message.HeaderFields;
import org.popfetch.message.TraceHeaders;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.queue.MailQueue;
import org.popfetch.queue.QueuePolicy;
import org.popfetch.queue.QueueRunner;
import org.popfetch.smtp.SmtpSettings;
import org.popfetch.testing.ScriptedServer;

/**
 * A message whose sender or multidrop recipient header is hostile, forwarded all the way: header,
 * envelope, queue file, queue runner, and what an SMTP peer is told. Nothing may reach the peer but
 * one MAIL with a clean sender and the RCPTs that were meant; nothing may end in corrupt/.
 */
class ForwardHostileEnvelopeTest {
  private static final String MAILBOX = "me@pop.example.org";

  @TempDir Path dir;
  MailQueue queue;

  @BeforeEach
  void open() throws Exception {
    queue = new MailQueue(dir.resolve("queue"), Clock.systemUTC());
  }

  static Stream<String> hostileReturnPaths() {
    return Stream.of(
        "<=?utf-8?q?a=0Aevil?=@x.example>",
        "<=?utf-8?q?a=0D=0ARCPT_TO:<victim@evil.example>?=@x.example>",
        "=?utf-8?b?PGFAeC5leGFtcGxlPgpSQ1BUIFRPOjx2aWN0aW1AZXZpbC5leGFtcGxlPg==?=",
        // the old file layout, smuggled in whole
        "<=?utf-8?q?a@x.example=0Aroute_relay=0Aarrival_2026-01-01T00:00:00Z=0Aattempts_0=0Aerror_=0Arcpt_PENDING_victim@evil.example?=>",
        "<a\0b@x.example>",
        "<a\rRCPT TO:<victim@evil.example>@x.example>",
        "<a\u007fb@x.example>",
        "<a\u0001\u001b[31mb@x.example>",
        "<\u0085victim@evil.example>",
        "<" + "a".repeat(100_000) + "@x.example>",
        "<" + "a".repeat(300) + "@x.example>",
        "\"a\nb\"@x.example");
  }

  @ParameterizedTest
  @MethodSource("hostileReturnPaths")
  void aHostileReturnPathIsForwardedWithACleanSenderAndNoOtherRecipient(String returnPath)
      throws Exception {
    String message =
        "Return-Path: " + returnPath + "\r\nFrom: alice@example.org\r\nSubject: hi\r\n\r\nbody\r\n";
    Transaction t = forward(message, Optional.empty(), List.of("bob@example.org"));
    assertThat(t.rcpts()).containsExactly("RCPT TO:<bob@example.org>");
    assertThat(t.mails())
        .singleElement()
        .satisfies(
            mail -> {
              assertThat(mail).matches("MAIL FROM:<[\\x21-\\x7e]{0,254}>");
              assertThat(mail).doesNotContain("victim").doesNotContain("RCPT");
            });
    assertNothingCorruptAndNothingLeft();
  }

  @Test
  void aMultidropRecipientHeaderHidingALineBreakAddsNoRecipient() throws Exception {
    String message =
        "Return-Path: <alice@example.org>\r\n"
            + "X-Original-To: <=?utf-8?q?bob@example.org=0Arcpt_PENDING_victim@evil.example?=>\r\n"
            + "Subject: hi\r\n\r\nbody\r\n";
    Transaction t = forward(message, Optional.of("X-Original-To"), List.of());
    assertThat(t.mails()).containsExactly("MAIL FROM:<alice@example.org>");
    assertThat(t.rcpts()).hasSize(1).noneMatch(r -> r.contains("victim"));
    assertNothingCorruptAndNothingLeft();
  }

  @ParameterizedTest
  @MethodSource("hostileRecipientHeaders")
  void aHostileMultidropRecipientHeaderNamesOneCleanRecipient(String value) throws Exception {
    String message =
        "Return-Path: <alice@example.org>\r\nDelivered-To: "
            + value
            + "\r\nSubject: hi\r\n\r\nbody\r\n";
    Transaction t = forward(message, Optional.of("Delivered-To"), List.of());
    assertThat(t.rcpts())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r).matches("RCPT TO:<[\\x21-\\x7e]{1,254}>");
              assertThat(r).doesNotContain("victim");
            });
    assertNothingCorruptAndNothingLeft();
  }

  static Stream<String> hostileRecipientHeaders() {
    return Stream.of(
        "=?utf-8?q?bob@example.org=0D=0Avictim@evil.example?=",
        "<=?utf-8?q?bob@example.org=0Arcpt_PENDING_victim@evil.example?=>",
        "<bob@example.org\0victim@evil.example>",
        "<bob@example.org\rvictim@evil.example>",
        "<bob@example.org,victim@evil.example>",
        "<" + "b".repeat(10_000) + "@example.org>");
  }

  @Test
  void aPlainMultidropRecipientStillArrives() throws Exception {
    String message =
        "Return-Path: <alice@example.org>\r\nX-Original-To: Bob <bob@example.org>\r\n\r\nbody\r\n";
    Transaction t = forward(message, Optional.of("x-original-to"), List.of());
    assertThat(t.mails()).containsExactly("MAIL FROM:<alice@example.org>");
    assertThat(t.rcpts()).containsExactly("RCPT TO:<bob@example.org>");
  }

  private void assertNothingCorruptAndNothingLeft() throws IOException {
    try (Stream<Path> corrupt = Files.list(dir.resolve("queue/corrupt"))) {
      assertThat(corrupt.toList()).isEmpty();
    }
    assertThat(queue.entries()).isEmpty();
  }

  /** What the SMTP peer was told. */
  private record Transaction(List<String> mails, List<String> rcpts) {}

  private Transaction forward(String wire, Optional<String> recipientHeader, List<String> to)
      throws Exception {
    HeaderFields.Read read = HeaderFields.read(new ByteArrayInputStream(wire.getBytes(ISO_8859_1)));
    Envelope envelope = Envelope.of(read.header(), MAILBOX, recipientHeader);
    ForwardDestination forward = new ForwardDestination(queue, "relay", to);
    var staged =
        forward.stage(
            new Incoming("acct", envelope, TraceHeaders.NONE, read.header()), read.message());
    forward.commit(List.of(staged));
    List<String> mails = new ArrayList<>();
    List<String> rcpts = new ArrayList<>();
    try (ScriptedServer s =
        new ScriptedServer(
            c -> {
              c.send("220 relay.test ESMTP");
              c.expect("EHLO popfetch.test");
              c.send("250 relay.test");
              for (String line = c.readLine(); line != null; line = c.readLine()) {
                if (line.startsWith("MAIL")) {
                  mails.add(line);
                  c.send("250 ok");
                } else if (line.startsWith("RCPT")) {
                  rcpts.add(line);
                  c.send("250 ok");
                } else if (line.equals("DATA")) {
                  c.send("354 go");
                  while (!".".equals(c.readLine())) {
                    // the message itself is not what this test is about
                  }
                  c.send("250 2.0.0 queued");
                } else if (line.equals("QUIT")) {
                  c.send("221 bye");
                  return;
                } else {
                  rcpts.add(line); // anything else the client says counts against it
                  c.send("500 what?");
                }
              }
            })) {
      runner(s.port()).run(true);
    }
    return new Transaction(mails, rcpts);
  }

  private QueueRunner runner(int port) {
    SmtpSettings settings =
        new SmtpSettings(
            "127.0.0.1",
            port,
            SmtpSettings.Tls.NONE,
            TlsTrust.SYSTEM,
            new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)),
            Duration.ofSeconds(10),
            "popfetch.test",
            false,
            true);
    return new QueueRunner(
        queue,
        Map.of("relay", new QueueRunner.Route(settings, Optional.empty())),
        QueuePolicy.defaults("popfetch.test"),
        Clock.systemUTC(),
        ProtocolTrace.NONE);
  }
}
