package org.popfetch.fetch;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.delivery.MaildirDestination;
import org.popfetch.net.Framing;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.pop3.TlsMode;
import org.popfetch.sasl.Credentials;

class AuthFailureNoticeTest {
  @TempDir Path dir;

  private final Pop3Account account =
      new Pop3Account(
          "work",
          new Pop3Settings(
              "pop.example.com",
              995,
              TlsMode.IMPLICIT,
              TlsTrust.SYSTEM,
              new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30)),
              true,
              Framing.CRLF,
              32),
          new Credentials.Password("alice", "s3cret-never-shown"),
          AuthMethod.AUTO,
          "alice@example.org");
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC);

  private List<String> notices() throws Exception {
    Path fresh = dir.resolve("Maildir/new");
    if (!Files.isDirectory(fresh)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(fresh)) {
      return s.sorted()
          .map(
              p -> {
                try {
                  return Files.readString(p, UTF_8);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .toList();
    }
  }

  private AuthFailureNotice notice(int after) {
    return new AuthFailureNotice(account, after, "mx.test", clock);
  }

  private final AuthFailureNotice.Opener maildir =
      () -> new MaildirDestination(dir.resolve("Maildir"), "mx.test");

  @Test
  void theMailboxIsToldOnceAfterTheThirdRefusalAndAgainOnlyAfterALoginWorked() throws Exception {
    AuthFailureNotice notice = notice(3);

    assertThat(notice.refused("-ERR [AUTH] Authentication failed.", maildir)).isFalse();
    assertThat(notice.refused("-ERR [AUTH] Authentication failed.", maildir)).isFalse();
    assertThat(notices()).isEmpty();
    assertThat(notice.refused("-ERR [AUTH] Authentication failed.", maildir)).isTrue();
    assertThat(notice.refused("-ERR [AUTH] Authentication failed.", maildir))
        .as("once per run of refusals")
        .isFalse();
    assertThat(notices()).hasSize(1);

    String mail = notices().get(0);
    assertThat(mail)
        .contains(
            "To: <alice@example.org>",
            "Subject: popfetch: login refused for work",
            "Auto-Submitted: auto-generated",
            "alice at pop.example.com:995",
            "3 times in a row",
            "-ERR [AUTH] Authentication failed.");
    assertThat(mail).doesNotContain("s3cret-never-shown").doesNotContain("\r\n");

    notice.succeeded();
    notice.refused("x", maildir);
    notice.refused("x", maildir);
    assertThat(notices()).hasSize(1);
    assertThat(notice.refused("x", maildir)).isTrue();
    assertThat(notices()).hasSize(2);
  }

  @Test
  void zeroNeverTells() throws Exception {
    AuthFailureNotice notice = notice(0);
    for (int i = 0; i < 5; i++) {
      assertThat(notice.refused("-ERR no", maildir)).isFalse();
    }
    assertThat(notices()).isEmpty();
  }

  @Test
  void aServerCannotWriteHeadersIntoTheNotice() throws Exception {
    notice(1).refused("-ERR bad\r\nBcc: victim@example.com\r\n\r\nfake body", maildir);

    String mail = notices().get(0);
    String header = mail.substring(0, mail.indexOf("\n\n"));
    assertThat(header).doesNotContain("Bcc:");
  }

  @Test
  void aDestinationThatFailsIsTriedAgainAtTheNextRefusal() throws Exception {
    int[] opens = {0};
    AuthFailureNotice.Opener failingFirst =
        () -> {
          if (opens[0]++ == 0) {
            throw DeliveryException.deferred("disk full");
          }
          return new MaildirDestination(dir.resolve("Maildir"), "mx.test");
        };
    AuthFailureNotice notice = new AuthFailureNotice(account, 1, "mx.test", clock);

    assertThat(notice.refused("-ERR no", failingFirst)).isFalse();
    assertThat(notice.refused("-ERR no", failingFirst)).isTrue();
    assertThat(notices()).hasSize(1);
  }

  @Test
  void aNonAsciiAccountNameIsEncodedInTheHeaderAndWrittenPlainInTheText() throws Exception {
    Pop3Account büro =
        new Pop3Account(
            "büro",
            account.settings(),
            account.credentialSource(),
            account.auth(),
            account.mailbox());
    new AuthFailureNotice(büro, 1, "mx.test", clock).refused("-ERR no", maildir);

    String mail = notices().get(0);
    String header = mail.substring(0, mail.indexOf("\n\n"));
    assertThat(header).contains("Subject: =?UTF-8?Q?popfetch:_login_refused_for_b=C3=BCro?=");
    assertThat(header.chars()).as("a header is ASCII (RFC 2047)").allMatch(c -> c < 0x80);
    assertThat(mail).contains("Content-Transfer-Encoding: 8bit", "the account \"büro\"");
  }
}
