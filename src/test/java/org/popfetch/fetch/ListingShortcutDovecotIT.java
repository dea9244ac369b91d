package org.popfetch.fetch;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.delivery.MaildirDestination;
import org.popfetch.net.Framing;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.Pop3Client;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.pop3.TlsMode;
import org.popfetch.sasl.Credentials;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.RecordingTrace;
import org.popfetch.testing.TestPki;

/**
 * Keep-mode polls against a real Dovecot that list only what follows the last poll's mark, and read
 * the whole listing again when another client removed a message before it.
 */
class ListingShortcutDovecotIT {
  static DovecotServer dovecot;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    TestPki pki = TestPki.create("popfetch listing mark test CA");
    dovecot = DovecotServer.start(DovecotServer.users("mark", "pw-mark"), pki.issue("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  @Test
  void newMessagesAfterTheMarkAreListedAloneAndARemovalBeforeItTakesTheWholeListing()
      throws Exception {
    int kept = ListingShortcut.MIN_KEPT + 20;
    seed(1, kept);
    FetchPolicy keep =
        new FetchPolicy(
            true, Optional.empty(), OptionalLong.empty(), OptionalInt.empty(), 200, 1 << 25);
    try (SqliteSeenUidStore store = SqliteSeenUidStore.open(dir.resolve("state.db"))) {
      RecordingTrace first = new RecordingTrace();
      assertThat(poll(keep, store, first).fetched()).isEqualTo(kept);
      assertThat(first.sent()).contains("LIST", "UIDL");
      assertThat(store.loadMark(key())).map(ListingMark::position).contains(kept);

      seed(kept + 1, kept + 3);
      RecordingTrace second = new RecordingTrace();
      PollResult shortcut = poll(keep, store, second);
      assertThat(shortcut.failure()).isEmpty();
      assertThat(shortcut.fetched()).isEqualTo(3);
      List<String> expected = new ArrayList<>();
      expected.add("STAT");
      for (int i = kept; i <= kept + 3; i++) {
        expected.add("UIDL " + i);
      }
      for (int i = kept + 1; i <= kept + 3; i++) {
        expected.add("LIST " + i);
      }
      for (int i = kept + 1; i <= kept + 3; i++) {
        expected.add("RETR " + i);
      }
      expected.add("QUIT");
      assertThat(afterLogin(second.sent())).containsExactlyElementsOf(expected);
      assertThat(store.loadMark(key())).map(ListingMark::position).contains(kept + 3);

      // Another client deletes message 5; one new message arrives: the count is the mark's again.
      Pop3Client other = Pop3Client.connect(settings(), ProtocolTrace.NONE);
      other.login(new Credentials.Password("mark", "pw-mark"), AuthMethod.USER);
      other.dele(5);
      other.quit();
      seed(kept + 4, kept + 4);
      RecordingTrace third = new RecordingTrace();
      PollResult whole = poll(keep, store, third);
      assertThat(whole.failure()).isEmpty();
      assertThat(whole.fetched()).isEqualTo(1);
      assertThat(afterLogin(third.sent())).startsWith("STAT", "UIDL " + (kept + 3), "LIST", "UIDL");
    }
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= kept + 4; i++) {
      ids.add("m" + i);
    }
    assertThat(Mail.idsIn(dir.resolve("Maildir"))).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(dovecot.messageCount("mark")).isEqualTo(kept + 3);
  }

  private static void seed(int from, int to) throws Exception {
    for (int i = from; i <= to; i++) {
      dovecot.deliver("mark", Mail.message("m" + i, 3).getBytes(ISO_8859_1));
    }
  }

  /** The commands after the login's own (greeting, CAPA, USER, PASS, CAPA). */
  private static List<String> afterLogin(List<String> sent) {
    int pass = 0;
    for (int i = 0; i < sent.size(); i++) {
      if (sent.get(i).startsWith("PASS")) {
        pass = i;
      }
    }
    List<String> rest = new ArrayList<>(sent.subList(pass + 1, sent.size()));
    rest.removeIf(c -> c.equals("CAPA"));
    return rest;
  }

  private AccountKey key() {
    return AccountKey.of("127.0.0.1", dovecot.pop3Port(), "mark");
  }

  private static Pop3Settings settings() {
    return new Pop3Settings(
        "127.0.0.1",
        dovecot.pop3Port(),
        TlsMode.NONE,
        TlsTrust.SYSTEM,
        new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30)),
        true,
        Framing.CRLF,
        32);
  }

  private PollResult poll(FetchPolicy policy, SeenUidStore store, ProtocolTrace trace)
      throws Exception {
    Pop3Account account =
        new Pop3Account(
            "mark",
            settings(),
            new Credentials.Password("mark", "pw-mark"),
            AuthMethod.USER,
            "mark@test");
    return new AccountPoll(
            account,
            policy,
            store,
            new MaildirDestination(dir.resolve("Maildir"), "h"),
            new MaildirDestination(dir.resolve("quarantine"), "h"),
            "h",
            Clock.systemUTC(),
            FetchObserver.NONE,
            trace)
        .run();
  }
}
