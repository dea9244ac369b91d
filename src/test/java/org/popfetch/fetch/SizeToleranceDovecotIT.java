package org.popfetch.fetch;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.popfetch.delivery.MaildirDestination;
import org.popfetch.net.Framing;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.pop3.TlsMode;
import org.popfetch.sasl.Credentials;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.TestPki;

/**
 * The size check that catches a session out of step must let every honest message through: real
 * Dovecot, with and without {@code pop3_fast_size_lookups} (which may report sizes as stored, with
 * LF line ends), serving messages seeded byte for byte with bare LF, mixed line ends, lone "."
 * lines and no final newline.
 */
class SizeToleranceDovecotIT {
  @TempDir Path dir;

  /** The worst case for an LF-counted size: a body of empty lines doubles on the wire. */
  private static final List<String> AWKWARD =
      List.of(
          Mail.message("crlf", 30),
          "Message-ID: <empty-lf@popfetch.test>\nSubject: empty lines\n\n"
              + "\n".repeat(5000)
              + "end\n",
          "Message-ID: <mixed@popfetch.test>\r\n"
              + "Subject: mixed\n\n"
              + ".\n"
              + "..\r\n"
              + ".x\n"
              + "bare\r"
              + "cr\r\n"
              + ".\r\n"
              + "last",
          "Message-ID: <big-lf@popfetch.test>\nSubject: big\n\n"
              + ("0123456789".repeat(7) + "\n").repeat(4000),
          "Message-ID: <nothing@popfetch.test>\n\n");

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void messagesWithAnyLineEndsPassTheSizeCheck(boolean fastSizeLookups) throws Exception {
    TestPki pki = TestPki.create("popfetch size test CA");
    Path ca = pki.writeCaPem(dir.resolve("ca.pem"));
    try (DovecotServer dovecot =
            DovecotServer.start(
                DovecotServer.users("sizes", "pw-sizes"),
                pki.issue("127.0.0.1"),
                "pop3_fast_size_lookups = " + (fastSizeLookups ? "yes" : "no"));
        SqliteSeenUidStore store =
            SqliteSeenUidStore.open("jdbc:sqlite:" + dir.resolve("state.db"))) {
      for (String m : AWKWARD) {
        dovecot.deliver("sizes", m.getBytes(ISO_8859_1));
      }
      Pop3Settings settings =
          new Pop3Settings(
              "127.0.0.1",
              dovecot.pop3sPort(),
              TlsMode.IMPLICIT,
              TlsTrust.withCaFile(ca),
              new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30)),
              false,
              Framing.CRLF,
              32);
      Pop3Account account =
          new Pop3Account(
              "sizes",
              settings,
              new Credentials.Password("sizes", "pw-sizes"),
              AuthMethod.AUTO,
              "sizes@test");
      Path maildir = dir.resolve("Maildir");
      PollResult result =
          new AccountPoll(
                  account,
                  FetchPolicy.deleteMode(),
                  store,
                  new MaildirDestination(maildir, "h"),
                  new MaildirDestination(dir.resolve("quarantine"), "h"),
                  "h",
                  Clock.systemUTC(),
                  FetchObserver.NONE,
                  ProtocolTrace.NONE)
              .run();

      assertThat(result.failure()).as(dovecot.logs()).isEmpty();
      assertThat(result.fetched()).isEqualTo(AWKWARD.size());
      assertThat(result.deleted()).isEqualTo(AWKWARD.size());
      assertThat(dovecot.messageCount("sizes")).isZero();
      assertThat(Mail.idsIn(maildir))
          .containsExactlyInAnyOrder("crlf", "empty-lf", "mixed", "big-lf", "nothing");
    }
  }
}
