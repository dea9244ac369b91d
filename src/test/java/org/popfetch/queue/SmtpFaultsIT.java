package org.popfetch.queue;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.smtp.SmtpSettings;
import org.popfetch.testing.AiosmtpdServer;
import org.popfetch.testing.TestClock;

/** The queue against a real SMTP server (aiosmtpd) told to fail on cue. */
class SmtpFaultsIT {
  static final String MESSAGE =
      "From: alice@example.org\r\n"
          + "Subject: faults\r\n"
          + "Message-ID: <faults@popfetch.test>\r\n\r\n"
          + "body\r\n";

  @TempDir Path dir;
  TestClock clock = new TestClock(Instant.parse("2026-11-27T10:00:00Z"));

  private QueueRunner runner(MailQueue queue, int port) {
    SmtpSettings settings =
        new SmtpSettings(
            "127.0.0.1",
            port,
            SmtpSettings.Tls.NONE,
            TlsTrust.SYSTEM,
            new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30)),
            Duration.ofSeconds(60),
            "popfetch.test",
            false,
            true);
    return new QueueRunner(
        queue,
        Map.of("relay", new QueueRunner.Route(settings, Optional.empty())),
        QueuePolicy.defaults("popfetch.test"),
        clock,
        ProtocolTrace.NONE);
  }

  private static String enqueue(MailQueue queue, String... recipients) throws Exception {
    MailQueue.Pending p =
        queue.stage(
            "alice@example.org",
            List.of(recipients),
            "relay",
            out -> {
              out.write(MESSAGE.getBytes(ISO_8859_1));
              return MESSAGE.length();
            });
    queue.commit(List.of(p));
    return p.entry().id();
  }

  @Test
  void deliveredDeferredBouncedAndRetriedAsTheServerSays() throws Exception {
    MailQueue queue = new MailQueue(dir.resolve("queue"), clock);
    String mixed = enqueue(queue, "ok-1@example.org", "full-1@example.org", "gone-1@example.org");
    String flaky = enqueue(queue, "flaky-1@example.org");
    try (AiosmtpdServer smtp = AiosmtpdServer.startFaulty(dir)) {
      QueueRunner.Report first = runner(queue, smtp.port()).run(false);
      assertThat(first.delivered()).isEqualTo(1); // ok-1
      assertThat(first.bounced()).isEqualTo(1); // gone-1
      QueueEntry m = queue.find(mixed).orElseThrow().entry();
      assertThat(m.pending()).containsExactly("full-1@example.org");
      assertThat(m.lastError()).contains("452 4.2.2 mailbox full");
      assertThat(queue.find(flaky).orElseThrow().entry().lastError()).contains("421");
      // The bounce for gone-1 (to alice and the postmaster) is queued with the null sender.
      assertThat(queue.entries().stream().filter(s -> s.entry().sender().isEmpty())).hasSize(2);

      clock.advance(Duration.ofMinutes(6));
      QueueRunner.Report second = runner(queue, smtp.port()).run(false);
      assertThat(second.delivered())
          .isGreaterThanOrEqualTo(1); // flaky-1 now; the bounces go out too
      assertThat(queue.find(flaky)).isEmpty();
      assertThat(queue.find(mixed).orElseThrow().entry().pending())
          .containsExactly("full-1@example.org");

      try (var files = Files.list(smtp.maildir().resolve("new"))) {
        List<String> stored =
            files
                .map(
                    f -> {
                      try {
                        return Files.readString(f, ISO_8859_1);
                      } catch (IOException e) {
                        throw new UncheckedIOException(e);
                      }
                    })
                .toList();
        assertThat(stored).anySatisfy(s -> assertThat(s).startsWith("X-RcptTo: ok-1@example.org"));
        assertThat(stored)
            .anySatisfy(s -> assertThat(s).startsWith("X-RcptTo: flaky-1@example.org"));
        assertThat(stored)
            .anySatisfy(
                s ->
                    assertThat(s)
                        .contains("report-type=delivery-status")
                        .contains("Final-Recipient: rfc822; gone-1@example.org"));
      }
    }
  }
}
