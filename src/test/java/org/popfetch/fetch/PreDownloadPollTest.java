package org.popfetch.fetch;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.delivery.FieldMatch;
import org.popfetch.delivery.MaildirDestination;
import org.popfetch.delivery.RoutedDestination;
import org.popfetch.net.Framing;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.pop3.TlsMode;
import org.popfetch.sasl.Credentials;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.testing.ScriptedServer;
import org.popfetch.testing.ScriptedServer.Conversation;

/**
 * Decisions before download against a scripted server: the exact commands show that a rule's
 * message is never retrieved, that every TOP is read before any DELE, and what a server without TOP
 * gets instead.
 */
class PreDownloadPollTest {
  @TempDir Path dir;
  SeenUidStore store;
  Path maildir;
  int port;

  @BeforeEach
  void open() throws IOException {
    store = SqliteSeenUidStore.open(dir.resolve("state.db"));
    maildir = dir.resolve("Maildir");
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  private ScriptedServer server(ScriptedServer.Script script) throws IOException {
    ScriptedServer s = new ScriptedServer(port, null, script);
    port = s.port();
    return s;
  }

  private static final List<String> WITH_TOP = List.of("USER", "UIDL", "TOP", "PIPELINING");
  private static final List<String> WITHOUT_TOP = List.of("USER", "UIDL", "PIPELINING");

  /** Greeting, CAPA, USER/PASS, then LIST and UIDL for messages of these sizes. */
  private static void login(Conversation c, List<String> capa, long... sizes) throws IOException {
    loginFrom(c, capa, 1, sizes);
  }

  /** As above, the unique-ids counted from uid-{@code firstUid}. */
  private static void loginFrom(Conversation c, List<String> capa, int firstUid, long... sizes)
      throws IOException {
    List<String> capaLines = new ArrayList<>(List.of("+OK"));
    capaLines.addAll(capa);
    capaLines.add(".");
    c.send("+OK ready");
    c.expect("CAPA");
    c.send(capaLines.toArray(String[]::new));
    c.expect("USER u");
    c.send("+OK");
    c.expect("PASS p");
    c.send("+OK");
    c.expect("CAPA");
    c.send(capaLines.toArray(String[]::new));
    c.expect("LIST");
    c.send("+OK");
    for (int i = 1; i <= sizes.length; i++) {
      c.send(i + " " + sizes[i - 1]);
    }
    c.send(".");
    c.expect("UIDL");
    c.send("+OK");
    for (int i = 1; i <= sizes.length; i++) {
      c.send(i + " uid-" + (firstUid + i - 1));
    }
    c.send(".");
  }

  private static void header(Conversation c, int i) throws IOException {
    c.send("+OK", "From: <friend@example.org>", "Subject: message " + i, "", ".");
  }

  private static void spamHeader(Conversation c) throws IOException {
    c.send(
        "+OK",
        "From: <spam@example.net>",
        "Subject: cheap \u001b[2J pills",
        "X-Spam-Flag: YES",
        "",
        ".");
  }

  private static void message(Conversation c, int i) throws IOException {
    c.send("+OK", "Subject: message " + i, "", "body " + i, ".");
  }

  private static void spam(Conversation c) throws IOException {
    c.send("+OK", "From: <spam@example.net>", "X-Spam-Flag: YES", "", "buy now", ".");
  }

  private RoutedDestination rules(RoutedDestination.Disposition spam) throws Exception {
    return new RoutedDestination(
        List.of(
            new RoutedDestination.Rule(
                new FieldMatch(FieldMatch.Source.HEADER, "X-Spam-Flag", FieldMatch.Kind.IS, "YES"),
                List.of(),
                spam,
                "")),
        new MaildirDestination(maildir, "h"),
        dir.resolve("spool"),
        "h");
  }

  private Pop3Account account() {
    Pop3Settings settings =
        new Pop3Settings(
            "127.0.0.1",
            port,
            TlsMode.NONE,
            TlsTrust.SYSTEM,
            new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5)),
            true,
            Framing.CRLF,
            32);
    return new Pop3Account(
        "pre", settings, new Credentials.Password("u", "p"), AuthMethod.USER, "u@test");
  }

  private PollResult poll(Destination destination, FetchPolicy policy) throws Exception {
    return new AccountPoll(
            account(),
            policy,
            store,
            destination,
            new MaildirDestination(dir.resolve("quarantine"), "h"),
            "h",
            Clock.systemUTC(),
            FetchObserver.NONE,
            ProtocolTrace.NONE)
        .run();
  }

  private static FetchPolicy oversize(OversizeAction action) {
    return new FetchPolicy(
        false, Optional.empty(), OptionalLong.of(1000), OptionalInt.empty(), 200, 1 << 20, action);
  }

  private List<String> delivered() throws IOException {
    if (!Files.isDirectory(maildir.resolve("new"))) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(maildir.resolve("new"))) {
      for (Path p : s.toList()) {
        out.add(Files.readString(p, ISO_8859_1));
      }
    }
    return out;
  }

  @Test
  void aDeleteRuleDeletesFromTheTopHeaderWithoutRetrievingTheMessage() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              login(c, WITH_TOP, 30, 30, 30);
              c.expect("TOP 1 0");
              header(c, 1);
              c.expect("TOP 2 0");
              spamHeader(c);
              c.expect("TOP 3 0");
              header(c, 3);
              c.expect("DELE 2");
              c.send("+OK");
              c.expect("RETR 1");
              c.expect("RETR 3");
              message(c, 1);
              message(c, 3);
              c.expect("DELE 1");
              c.expect("DELE 3");
              c.send("+OK", "+OK");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult result =
          poll(rules(RoutedDestination.Disposition.DELETE), FetchPolicy.deleteMode());
      server.awaitScript();
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(2);
      assertThat(result.deleted()).isEqualTo(3);
    }
    assertThat(delivered()).hasSize(2).noneMatch(m -> m.contains("buy now"));
  }

  @Test
  void everyTopIsReadBeforeAnyDeleteSoACutTopReplyDeletesNothing() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              login(c, WITH_TOP, 30, 30);
              c.expect("TOP 1 0");
              spamHeader(c);
              // Not DELE 1: nothing is deleted before every decision is made.
              c.expect("TOP 2 0");
              c.sendRaw("+OK\r\nFrom: <spam@example.net>\r\nX-Spam".getBytes(ISO_8859_1));
              c.close();
            })) {
      PollResult result =
          poll(rules(RoutedDestination.Disposition.DELETE), FetchPolicy.deleteMode());
      server.awaitScript();
      assertThat(result.failure()).map(PollFailure::kind).contains(PollFailure.Kind.PROTOCOL);
      assertThat(result.deleted()).isZero();
      assertThat(result.fetched()).isZero();
    }
  }

  @Test
  void aSkippedMessageStaysOnTheServerAndIsNotRecordedSoTheNextPollDecidesAgain() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              login(c, WITH_TOP, 30, 30);
              c.expect("TOP 1 0");
              spamHeader(c);
              c.expect("TOP 2 0");
              header(c, 2);
              c.expect("RETR 2");
              message(c, 2);
              c.expect("DELE 2");
              c.send("+OK");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult result = poll(rules(RoutedDestination.Disposition.SKIP), FetchPolicy.deleteMode());
      server.awaitScript();
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(1);
      assertThat(result.deleted()).isEqualTo(1);
    }
    assertThat(store.load(account().key())).doesNotContainKey("uid-1");
    assertThat(delivered()).hasSize(1);
  }

  @Test
  void withoutTopTheRulesDecideOnRetrievalAndTheDeletedOneGoesAfterTheCommit() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              login(c, WITHOUT_TOP, 30, 30, 30);
              c.expect("RETR 1");
              c.expect("RETR 2");
              c.expect("RETR 3");
              message(c, 1);
              spam(c);
              message(c, 3);
              c.expect("DELE 1");
              c.expect("DELE 3");
              c.send("+OK", "+OK");
              c.expect("DELE 2");
              c.send("+OK");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult result =
          poll(rules(RoutedDestination.Disposition.DELETE), FetchPolicy.deleteMode());
      server.awaitScript();
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(2);
      assertThat(result.deleted()).isEqualTo(3);
    }
    assertThat(delivered()).hasSize(2).noneMatch(m -> m.contains("buy now"));
  }

  @Test
  void anOversizeNoticeIsDeliveredOnceAndTheMessageStaysOnTheServer() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              login(c, WITH_TOP, 30, 5000);
              c.expect("TOP 2 0");
              c.send("+OK", "From: <big@example.net>", "Subject: the video", "", ".");
              c.expect("RETR 1");
              message(c, 1);
              c.expect("DELE 1");
              c.send("+OK");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult result =
          poll(new MaildirDestination(maildir, "h"), oversize(OversizeAction.NOTICE));
      server.awaitScript();
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(1);
      assertThat(result.deleted()).isEqualTo(1);
    }
    assertThat(delivered())
        .hasSize(2)
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("Subject: popfetch: too large, left on the server: the video")
                    .contains("big@example.net")
                    .contains("5000 octets"));
    assertThat(store.load(account().key()).get("uid-2").state()).isEqualTo(UidState.OVERSIZE);
    // The next poll: told before, so no TOP and no second notice.
    try (ScriptedServer server =
        server(
            c -> {
              loginFrom(c, WITH_TOP, 2, 5000);
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult again =
          poll(new MaildirDestination(maildir, "h"), oversize(OversizeAction.NOTICE));
      server.awaitScript();
      assertThat(again.failure()).isEmpty();
    }
    assertThat(delivered()).hasSize(2);
  }

  @Test
  void aNoticeThatCannotBeDeliveredIsNotRecordedAndIsSentAtTheNextPoll() throws Exception {
    Destination broken =
        new Destination() {
          @Override
          public String describe() {
            return "broken";
          }

          @Override
          public Staged stage(Incoming message, InputStream wireBody) throws DeliveryException {
            throw DeliveryException.deferred("disk full");
          }

          @Override
          public void commit(List<Staged> batch) {}

          @Override
          public void discard(List<Staged> batch) {}
        };
    try (ScriptedServer server =
        server(
            c -> {
              login(c, WITH_TOP, 5000);
              c.expect("TOP 1 0");
              c.send("+OK", "From: <big@example.net>", "Subject: the video", "", ".");
              c.expect("QUIT"); // no DELE: the message stays
              c.send("+OK");
            })) {
      PollResult result = poll(broken, oversize(OversizeAction.NOTICE));
      server.awaitScript();
      assertThat(result.failure()).map(PollFailure::kind).contains(PollFailure.Kind.DELIVERY);
      assertThat(result.deleted()).isZero();
    }
    assertThat(store.load(account().key())).doesNotContainKey("uid-1");
    try (ScriptedServer server =
        server(
            c -> {
              login(c, WITH_TOP, 5000);
              c.expect("TOP 1 0");
              c.send("+OK", "From: <big@example.net>", "Subject: the video", "", ".");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult again =
          poll(new MaildirDestination(maildir, "h"), oversize(OversizeAction.NOTICE));
      server.awaitScript();
      assertThat(again.failure()).isEmpty();
    }
    assertThat(delivered()).hasSize(1);
    assertThat(store.load(account().key()).get("uid-1").state()).isEqualTo(UidState.OVERSIZE);
  }

  @Test
  void oversizeDeleteDeletesWithoutRetrieving() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              login(c, WITH_TOP, 5000, 30);
              c.expect("TOP 1 0");
              c.send("+OK", "From: <big@example.net>", "Subject: the video", "", ".");
              c.expect("DELE 1");
              c.send("+OK");
              c.expect("RETR 2");
              message(c, 2);
              c.expect("DELE 2");
              c.send("+OK");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult result =
          poll(new MaildirDestination(maildir, "h"), oversize(OversizeAction.DELETE));
      server.awaitScript();
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(1);
      assertThat(result.deleted()).isEqualTo(2);
    }
    assertThat(delivered()).hasSize(1);
  }
}
