package org.popfetch.queue;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.sasl.CredentialException;
import org.popfetch.sasl.CredentialSource;
import org.popfetch.sasl.Credentials;
import org.popfetch.smtp.SmtpSettings;
import org.popfetch.testing.RefusingPort;
import org.popfetch.testing.ScriptedServer;
import org.popfetch.testing.ScriptedServer.Conversation;
import org.popfetch.testing.TestClock;

class QueueRunnerTest {
  static final String MESSAGE =
      "From: alice@example.org\r\n"
          + "Subject: forwarded\r\n"
          + "Message-ID: <q1@popfetch.test>\r\n\r\n"
          + "body\r\n";

  @TempDir Path dir;
  TestClock clock = new TestClock(Instant.parse("2026-11-27T10:00:00Z"));
  MailQueue queue;

  /** Where the relay is down: held by the test, so no other program can answer there. */
  final RefusingPort nobodyListens = new RefusingPort();

  /** The relay's port for the next runner: refusing, or that of the server last scripted. */
  int port;

  @BeforeEach
  void open() throws Exception {
    queue = new MailQueue(dir.resolve("queue"), clock);
    port = nobodyListens.port();
  }

  @AfterEach
  void release() throws IOException {
    nobodyListens.close();
  }

  private QueueRunner runner() {
    return runner(Optional.empty());
  }

  private QueueRunner runner(Optional<CredentialSource> credentials) {
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
        Map.of("relay", new QueueRunner.Route(settings, credentials)),
        QueuePolicy.defaults("popfetch.test"),
        clock,
        ProtocolTrace.NONE);
  }

  private String enqueue(String sender, String... recipients) throws IOException {
    MailQueue.Pending p =
        queue.stage(
            sender,
            List.of(recipients),
            "relay",
            out -> {
              out.write(MESSAGE.getBytes(ISO_8859_1));
              return MESSAGE.length();
            });
    queue.commit(List.of(p));
    return p.entry().id();
  }

  private ScriptedServer server(ScriptedServer.Script script) throws IOException {
    ScriptedServer server = new ScriptedServer(script);
    port = server.port(); // bound once, by the server itself: the runners made from now on use it
    return server;
  }

  private static void hello(Conversation c) throws IOException {
    c.send("220 relay.test ESMTP");
    c.expect("EHLO popfetch.test");
    c.send("250-relay.test", "250 PIPELINING");
  }

  private static String data(Conversation c) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String line = c.readLine(); !".".equals(line); line = c.readLine()) {
      sb.append(line).append("\r\n");
    }
    return sb.toString();
  }

  @Test
  void acceptedMessagesAreDurableFilesAndDueAtOnce() throws Exception {
    String id = enqueue("alice@example.org", "bob@example.org");
    assertThat(Files.exists(dir.resolve("queue/data/" + id))).isTrue();
    assertThat(Files.exists(dir.resolve("queue/deferred/" + id))).isTrue();
    assertThat(queue.entries())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.next()).isEqualTo(clock.instant());
              assertThat(s.entry().pending()).containsExactly("bob@example.org");
            });
  }

  @Test
  void a421ThenA250DeliversOnceAfterTheBackoff() throws Exception {
    String id = enqueue("alice@example.org", "bob@example.org");
    try (ScriptedServer s =
        server(
            c -> {
              hello(c);
              c.expect("MAIL FROM:<alice@example.org>");
              c.expect("RCPT TO:<bob@example.org>");
              c.expect("DATA");
              c.send("421 4.3.2 try later");
              c.readUntilClose();
            })) {
      QueueRunner.Report r = runner().run(false);
      assertThat(r.deferred()).isEqualTo(1);
    }
    MailQueue.Scheduled after = queue.find(id).orElseThrow();
    assertThat(after.next()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
    assertThat(after.entry().attempts()).isEqualTo(1);
    assertThat(after.entry().lastError()).contains("421 4.3.2 try later");

    clock.advance(Duration.ofMinutes(1));
    assertThat(runner().run(false))
        .isEqualTo(new QueueRunner.Report(0, 0, 0)); // not due: no connection

    clock.advance(Duration.ofMinutes(5));
    List<String> received = new ArrayList<>();
    try (ScriptedServer s =
        server(
            c -> {
              hello(c);
              c.expect("MAIL FROM:<alice@example.org>");
              c.expect("RCPT TO:<bob@example.org>");
              c.expect("DATA");
              c.send("250 ok", "250 ok", "354 go");
              received.add(data(c));
              c.send("250 2.0.0 queued");
              c.expect("QUIT");
              c.send("221 bye");
            })) {
      assertThat(runner().run(false).delivered()).isEqualTo(1);
    }
    assertThat(received).containsExactly(MESSAGE);
    assertThat(queue.entries()).isEmpty();
    assertThat(Files.exists(dir.resolve("queue/data/" + id))).isFalse();
  }

  @Test
  void aRelayPasswordThatCannotBeHadDefersTheMailAndIsAskedAgainAtTheNextAttempt()
      throws Exception {
    String id = enqueue("alice@example.org", "bob@example.org");
    int[] asked = {0};
    String[] password = {null};
    CredentialSource source =
        new CredentialSource() {
          @Override
          public String user() {
            return "alice";
          }

          @Override
          public Credentials credentials() throws CredentialException {
            asked[0]++;
            if (password[0] == null) {
              throw new CredentialException(
                  "smtp 127.0.0.1: password: /x/relay.pass: no such file");
            }
            return new Credentials.Password("alice", password[0]);
          }
        };
    try (ScriptedServer s =
        server(
            c -> {
              c.send("220 relay.test ESMTP");
              c.expect("EHLO popfetch.test");
              c.send("250-relay.test", "250 AUTH PLAIN");
              c.readUntilClose();
            })) {
      QueueRunner.Report r = runner(Optional.of(source)).run(false);
      assertThat(r.deferred()).isEqualTo(1);
    }
    assertThat(queue.find(id).orElseThrow().entry().lastError())
        .contains("smtp 127.0.0.1: password: /x/relay.pass: no such file");

    password[0] = "s3cret";
    clock.advance(Duration.ofMinutes(5));
    try (ScriptedServer s =
        server(
            c -> {
              c.send("220 relay.test ESMTP");
              c.expect("EHLO popfetch.test");
              c.send("250-relay.test", "250-PIPELINING", "250 AUTH PLAIN");
              c.expect(
                  "AUTH PLAIN "
                      + Base64.getEncoder().encodeToString("\0alice\0s3cret".getBytes(ISO_8859_1)));
              c.send("235 2.7.0 ok");
              c.expect("MAIL FROM:<alice@example.org>");
              c.expect("RCPT TO:<bob@example.org>");
              c.expect("DATA");
              c.send("250 ok", "250 ok", "354 go");
              data(c);
              c.send("250 2.0.0 queued");
              c.expect("QUIT");
              c.send("221 bye");
            })) {
      assertThat(runner(Optional.of(source)).run(false).delivered()).isEqualTo(1);
    }
    assertThat(asked[0]).isEqualTo(2);
    assertThat(queue.entries()).isEmpty();
  }

  @Test
  void a452ForOneOfTwoRecipientsDefersOnlyThatOne() throws Exception {
    String id = enqueue("alice@example.org", "bob@example.org", "carol@example.org");
    try (ScriptedServer s =
        server(
            c -> {
              hello(c);
              c.expectPrefix("MAIL FROM:");
              c.expect("RCPT TO:<bob@example.org>");
              c.expect("RCPT TO:<carol@example.org>");
              c.expect("DATA");
              c.send("250 ok", "250 ok", "452 4.2.2 over quota", "354 go");
              data(c);
              c.send("250 ok");
              c.expect("QUIT");
              c.send("221 bye");
            })) {
      runner().run(false);
    }
    QueueEntry e = queue.find(id).orElseThrow().entry();
    assertThat(e.pending()).containsExactly("carol@example.org");
    assertThat(e.recipients().get("bob@example.org").state()).isEqualTo(QueueEntry.State.DELIVERED);
  }

  @Test
  void a550BouncesAtOnceWithAnRfc3464Report() throws Exception {
    String id = enqueue("alice@example.org", "nobody@example.org");
    try (ScriptedServer s =
        server(
            c -> {
              hello(c);
              c.expectPrefix("MAIL FROM:");
              c.expect("RCPT TO:<nobody@example.org>");
              c.expect("DATA");
              c.send("250 ok", "550 5.1.1 user unknown", "554 no valid recipients");
              c.expect("QUIT");
              c.send("221 bye");
            })) {
      assertThat(runner().run(false).bounced()).isEqualTo(1);
    }
    assertThat(queue.find(id)).isEmpty();
    List<MailQueue.Scheduled> notices = queue.entries();
    assertThat(notices)
        .extracting(n -> n.entry().pending().get(0))
        .containsExactlyInAnyOrder("alice@example.org", "postmaster");
    assertThat(notices).allSatisfy(n -> assertThat(n.entry().sender()).isEmpty());
    String dsn = new String(queue.open(notices.get(0).entry().id()).readAllBytes(), ISO_8859_1);
    assertThat(dsn)
        .contains("From: Mail Delivery System <MAILER-DAEMON@popfetch.test>")
        .contains("Content-Type: multipart/report; report-type=delivery-status;")
        .contains(
            "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; popfetch.test\r\n")
        .contains(
            "Final-Recipient: rfc822; nobody@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n")
        .contains("Diagnostic-Code: smtp; 550 5.1.1 user unknown")
        .contains(
            "Content-Type: text/rfc822-headers\r\n\r\n"
                + "From: alice@example.org\r\n"
                + "Subject: forwarded\r\n");
    assertThat(DsnCheck.parse(dsn)).isTrue();
  }

  @Test
  void aBounceIsNeverBounced() throws Exception {
    enqueue("", "gone@example.org");
    try (ScriptedServer s =
        server(
            c -> {
              hello(c);
              c.expect("MAIL FROM:<>");
              c.expect("RCPT TO:<gone@example.org>");
              c.expect("DATA");
              c.send("250 ok", "550 5.1.1 user unknown", "554 no valid recipients");
              c.expect("QUIT");
              c.send("221 bye");
            })) {
      runner().run(false);
    }
    assertThat(queue.entries()).isEmpty();
  }

  @Test
  void aServerDownForThreeAttemptsBacksOffAndDeliversWhenItIsBack() throws Exception {
    String id = enqueue("alice@example.org", "bob@example.org");
    List<Instant> nexts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      runner().run(false); // nothing listens on the port: connection refused
      MailQueue.Scheduled s = queue.find(id).orElseThrow();
      nexts.add(s.next());
      clock.set(s.next());
    }
    Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
    assertThat(nexts)
        .containsExactly(
            t0.plus(Duration.ofMinutes(5)),
            t0.plus(Duration.ofMinutes(15)),
            t0.plus(Duration.ofMinutes(35)));
    try (ScriptedServer s =
        server(
            c -> {
              hello(c);
              c.expectPrefix("MAIL FROM:");
              c.expect("RCPT TO:<bob@example.org>");
              c.expect("DATA");
              c.send("250 ok", "250 ok", "354 go");
              data(c);
              c.send("250 ok");
              c.expect("QUIT");
              c.send("221 bye");
            })) {
      assertThat(runner().run(false).delivered()).isEqualTo(1);
    }
    assertThat(queue.entries()).isEmpty();
  }

  @Test
  void pastItsLifetimeAMessageIsBouncedAs447() throws Exception {
    String id = enqueue("alice@example.org", "bob@example.org");
    clock.advance(Duration.ofDays(5).plusMinutes(1));
    runner().run(false); // still unreachable, and now too old
    assertThat(queue.find(id)).isEmpty();
    List<MailQueue.Scheduled> notices = queue.entries();
    assertThat(notices).hasSize(2);
    String dsn = new String(queue.open(notices.get(0).entry().id()).readAllBytes(), ISO_8859_1);
    assertThat(dsn).contains("Status: 4.4.7").contains("delivery time expired");
  }

  @Test
  void aDamagedEnvelopeIsMovedAsideNotFatal() throws Exception {
    enqueue("alice@example.org", "bob@example.org");
    Files.writeString(dir.resolve("queue/deferred/BROKEN"), "garbage");
    assertThat(queue.entries()).hasSize(1);
    assertThat(Files.exists(dir.resolve("queue/corrupt/BROKEN.env"))).isTrue();
  }

  @Test
  void recoveryRetriesWhatWasBeingDeliveredAndForgetsWhatWasNeverAccepted() throws Exception {
    String id = enqueue("alice@example.org", "bob@example.org");
    queue.activate(id); // as if the process died mid-transaction
    queue.stage("a@b", List.of("c@d"), "relay", out -> 0); // written, never committed
    queue.recover();
    assertThat(queue.entries()).extracting(s -> s.entry().id()).containsExactly(id);
    try (var incoming = Files.list(dir.resolve("queue/incoming"))) {
      assertThat(incoming.toList()).isEmpty();
    }
  }

  @Test
  void aLongDelayIsReportedToTheSenderOnce() throws Exception {
    String id = enqueue("alice@example.org", "bob@example.org");
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
    QueuePolicy warnAfterAnHour =
        new QueuePolicy(
            Duration.ofMinutes(5),
            Duration.ofMinutes(66),
            Duration.ofDays(5),
            true,
            "postmaster",
            "popfetch.test",
            Duration.ofHours(1));
    QueueRunner runner =
        new QueueRunner(
            queue,
            Map.of("relay", new QueueRunner.Route(settings, Optional.empty())),
            warnAfterAnHour,
            clock,
            ProtocolTrace.NONE);
    runner.run(false); // nobody listens: deferred, no warning yet
    assertThat(queue.entries()).hasSize(1);
    clock.advance(Duration.ofHours(2));
    runner.run(false);
    List<MailQueue.Scheduled> all = queue.entries();
    assertThat(all).hasSize(2);
    MailQueue.Scheduled warning =
        all.stream().filter(s -> s.entry().sender().isEmpty()).findFirst().orElseThrow();
    assertThat(warning.entry().pending()).containsExactly("alice@example.org");
    String dsn = new String(queue.open(warning.entry().id()).readAllBytes(), ISO_8859_1);
    assertThat(dsn)
        .contains("Action: delayed")
        .contains("Will-Retry-Until: ")
        .contains("Subject: Delayed Mail");
    assertThat(queue.find(id).orElseThrow().entry().warned()).isTrue();
    clock.advance(Duration.ofHours(2));
    runner.run(false);
    assertThat(queue.entries().stream().filter(s -> s.entry().sender().isEmpty()))
        .hasSize(1); // still one warning
  }
}
