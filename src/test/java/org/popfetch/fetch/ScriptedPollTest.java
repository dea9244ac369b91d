package org.popfetch.fetch;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.delivery.MaildirDestination;
import org.popfetch.net.Framing;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.pop3.ScanListing;
import org.popfetch.pop3.TlsMode;
import org.popfetch.sasl.Credentials;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.testing.ScriptedServer;
import org.popfetch.testing.ScriptedServer.Conversation;
import org.slf4j.LoggerFactory;

/** Poll orderings that only a scripted server can produce on demand. */
class ScriptedPollTest {
  @TempDir Path dir;
  SeenUidStore store;
  Path maildir;
  int port;

  @BeforeEach
  void open() throws IOException {
    store = openStore(dir.resolve("state.db"));
    maildir = dir.resolve("Maildir");
  }

  /** The store every poll of a test uses, over the state file {@code file}. */
  SeenUidStore openStore(Path file) throws IOException {
    return SqliteSeenUidStore.open(file);
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  /** Every session of a test on the same port: the UIDs are scoped by server and port. */
  private ScriptedServer server(ScriptedServer.Script script) throws IOException {
    ScriptedServer s = new ScriptedServer(port, null, script);
    port = s.port();
    return s;
  }

  private PollResult poll(ScriptedServer server) throws Exception {
    return poll(server, new MaildirDestination(maildir, "h"));
  }

  private PollResult poll(ScriptedServer server, Destination destination) throws Exception {
    return poll(server, destination, FetchPolicy.deleteMode());
  }

  private PollResult poll(ScriptedServer server, FetchPolicy policy) throws Exception {
    return poll(server, new MaildirDestination(maildir, "h"), policy);
  }

  private PollResult poll(ScriptedServer server, Destination destination, FetchPolicy policy)
      throws Exception {
    Pop3Settings settings =
        new Pop3Settings(
            "127.0.0.1",
            server.port(),
            TlsMode.NONE,
            TlsTrust.SYSTEM,
            new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5)),
            true,
            Framing.CRLF,
            32);
    Pop3Account account =
        new Pop3Account(
            "test", settings, new Credentials.Password("u", "p"), AuthMethod.USER, "u@test");
    return new AccountPoll(
            account,
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

  private long delivered() throws IOException {
    try (Stream<Path> s = Files.list(maildir.resolve("new"))) {
      return s.count();
    }
  }

  private static void login(Conversation c, int messages) throws IOException {
    List<String> list = new ArrayList<>();
    List<String> uidl = new ArrayList<>();
    for (int i = 1; i <= messages; i++) {
      list.add(i + " 30");
      uidl.add(i + " uid-" + i);
    }
    login(c, list, uidl);
  }

  /** Greeting, CAPA, USER/PASS, then LIST and UIDL answered with these lines. */
  private static void login(Conversation c, List<String> list, List<String> uidl)
      throws IOException {
    c.send("+OK ready");
    c.expect("CAPA");
    c.send("+OK", "USER", "UIDL", "PIPELINING", ".");
    c.expect("USER u");
    c.send("+OK");
    c.expect("PASS p");
    c.send("+OK");
    c.expect("CAPA");
    c.send("+OK", "USER", "UIDL", "PIPELINING", ".");
    c.expect("LIST");
    c.send("+OK");
    c.send(list.toArray(String[]::new));
    c.send(".");
    c.expect("UIDL");
    c.send("+OK");
    c.send(uidl.toArray(String[]::new));
    c.send(".");
  }

  private static void message(Conversation c, int i) throws IOException {
    c.send("+OK", "Subject: message " + i, "", "body " + i, ".");
  }

  @Test
  void aCutInTheThirdOfFiveDeletesNothingAndTheNextPollLosesNothing() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              login(c, 5);
              for (int i = 1; i <= 5; i++) {
                c.expect("RETR " + i);
              }
              message(c, 1);
              message(c, 2);
              c.sendRaw("+OK\r\nSubject: message 3\r\n\r\nhalf of it".getBytes(ISO_8859_1));
              c.close();
            })) {
      PollResult first = poll(server);
      assertThat(first.failure()).map(PollFailure::kind).contains(PollFailure.Kind.PROTOCOL);
      assertThat(first.fetched()).isEqualTo(2);
      assertThat(first.deleted()).isZero();
    }
    assertThat(delivered()).isEqualTo(2);
    // The files made ahead for 3 to 5 went with the failed retrieval.
    assertThat(inTmp()).isZero();
    // The next session: 1 and 2 are deleted without being delivered again; 3..5 are fetched.
    try (ScriptedServer server =
        server(
            c -> {
              login(c, 5);
              c.expect("DELE 1");
              c.expect("DELE 2");
              c.send("+OK", "+OK");
              for (int i = 3; i <= 5; i++) {
                c.expect("RETR " + i);
              }
              for (int i = 3; i <= 5; i++) {
                message(c, i);
              }
              for (int i = 3; i <= 5; i++) {
                c.expect("DELE " + i);
              }
              c.send("+OK", "+OK", "+OK");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult second = poll(server);
      assertThat(second.failure()).isEmpty();
      assertThat(second.fetched()).isEqualTo(3);
      assertThat(second.deleted()).isEqualTo(5);
      assertThat(store.load(AccountKey.of("127.0.0.1", port, "u"))).isEmpty();
    }
    assertThat(delivered()).isEqualTo(5);
  }

  @Test
  void quitAnsweredWithErrLeavesTheUidsPendingAndTheNextPollDeletesWithoutRedelivery()
      throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              login(c, 2);
              c.expect("RETR 1");
              c.expect("RETR 2");
              message(c, 1);
              message(c, 2);
              c.expect("DELE 1");
              c.expect("DELE 2");
              c.send("+OK", "+OK");
              c.expect("QUIT");
              c.send("-ERR [SYS/TEMP] could not remove messages");
            })) {
      PollResult first = poll(server);
      assertThat(first.fetched()).isEqualTo(2);
      assertThat(first.deleted()).isZero();
      assertThat(first.failure()).map(PollFailure::kind).contains(PollFailure.Kind.SERVER_BUSY);
    }
    try (ScriptedServer server =
        server(
            c -> {
              login(c, 2);
              c.expect("DELE 1");
              c.expect("DELE 2");
              c.send("+OK", "+OK");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult second = poll(server);
      assertThat(second.failure()).isEmpty();
      assertThat(second.fetched()).isZero();
      assertThat(second.deleted()).isEqualTo(2);
    }
    assertThat(delivered()).isEqualTo(2);
  }

  @Test
  void aMaildirThatTurnsUnwritableDeletesNothing() throws Exception {
    MaildirDestination destination = new MaildirDestination(maildir, "h");
    Files.delete(maildir.resolve("tmp"));
    Files.writeString(maildir.resolve("tmp"), "in the way");
    try (ScriptedServer server =
        server(
            c -> {
              login(c, 3);
              for (int i = 1; i <= 3; i++) {
                c.expect("RETR " + i);
              }
              for (int i = 1; i <= 3; i++) {
                message(c, i);
              }
              c.expect("QUIT"); // no DELE came first
              c.send("+OK");
            })) {
      PollResult result = poll(server, destination);
      assertThat(result.failure()).map(PollFailure::kind).contains(PollFailure.Kind.DELIVERY);
      assertThat(result.fetched()).isZero();
      assertThat(result.deleted()).isZero();
    }
  }

  @Test
  void aMaildirLinkPlantedByTheUserDeletesNothingAndWritesNothingThere() throws Exception {
    // The Maildir's directory belongs to someone else (nobody, or anyone: mode 0777), who
    // swaps new/ for a link to a directory popfetch must not write into.
    Path home = Files.createDirectory(dir.resolve("home"));
    maildir = home.resolve("Maildir");
    MaildirDestination destination = new MaildirDestination(maildir, "h");
    if ("root".equals(System.getProperty("user.name"))) {
      Files.setOwner(
          maildir,
          dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    } else {
      Files.setPosixFilePermissions(maildir, PosixFilePermissions.fromString("rwxrwxrwx"));
    }
    Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
    Files.delete(maildir.resolve("new"));
    Files.createSymbolicLink(maildir.resolve("new"), elsewhere);
    try (ScriptedServer server =
        server(
            c -> {
              login(c, 2);
              c.expect("RETR 1");
              c.expect("RETR 2");
              message(c, 1);
              message(c, 2);
              c.expect("QUIT"); // no DELE came first
              c.send("+OK");
            })) {
      PollResult result = poll(server, destination);
      assertThat(result.failure()).map(PollFailure::kind).contains(PollFailure.Kind.DELIVERY);
      assertThat(result.failure().get().message()).contains("symbolic link");
      assertThat(result.deleted()).isZero();
      assertThat(result.quarantined()).isZero();
      server.awaitScript();
    }
    try (Stream<Path> s = Files.list(elsewhere)) {
      assertThat(s.toList()).isEmpty();
    }
  }

  @Test
  void aServerThatDeletesWhatWasRetrievedGetsNoQuitAfterAFailedDelivery() throws Exception {
    MaildirDestination maildirDestination = new MaildirDestination(maildir, "h");
    // The disk fills up after the first message.
    Destination destination =
        new Destination() {
          int staged;

          @Override
          public String describe() {
            return maildirDestination.describe();
          }

          @Override
          public Staged stage(Incoming message, InputStream body) throws DeliveryException {
            if (++staged == 2) {
              throw DeliveryException.deferred("No space left on device");
            }
            return maildirDestination.stage(message, body);
          }

          @Override
          public void commit(List<Staged> batch) throws DeliveryException {
            maildirDestination.commit(batch);
          }

          @Override
          public void discard(List<Staged> batch) {
            maildirDestination.discard(batch);
          }
        };
    try (ScriptedServer server =
        server(
            c -> {
              c.send("+OK ready");
              c.expect("CAPA");
              c.send("+OK", "USER", "UIDL", "EXPIRE 0", ".");
              c.expect("USER u");
              c.send("+OK");
              c.expect("PASS p");
              c.send("+OK");
              c.expect("CAPA");
              c.send("+OK", "USER", "UIDL", "EXPIRE 0", ".");
              c.expect("LIST");
              c.send("+OK", "1 30", "2 30", ".");
              c.expect("UIDL");
              c.send("+OK", "1 uid-1", "2 uid-2", ".");
              c.expect("RETR 1");
              message(c, 1);
              c.expect("RETR 2");
              message(c, 2);
              // Message 1 was delivered and marked; message 2 was not delivered. With EXPIRE 0 a
              // QUIT would delete both, so the client must hang up instead.
              c.expect("DELE 1");
              c.send("+OK");
              c.expectClose();
            })) {
      PollResult result = poll(server, destination);
      assertThat(result.failure()).map(PollFailure::kind).contains(PollFailure.Kind.DELIVERY);
      assertThat(result.fetched()).isEqualTo(1);
      assertThat(result.deleted()).isZero();
    }
    var recorded = store.load(AccountKey.of("127.0.0.1", port, "u"));
    assertThat(recorded.get("uid-1").state()).isEqualTo(UidState.DELETE_PENDING);
    assertThat(recorded.get("uid-2").state()).isEqualTo(UidState.FAILED);
    assertThat(recorded.get("uid-2").attempts()).isEqualTo(1);
    assertThat(recorded.get("uid-2").lastError()).contains("No space left on device");
  }

  /** Delete mode, two messages a batch: the smallest batches that still pipeline. */
  private static FetchPolicy pairs() {
    return new FetchPolicy(
        false, Optional.empty(), OptionalLong.empty(), OptionalInt.empty(), 2, 1 << 25);
  }

  /**
   * A Maildir whose commits (run in place or detached) first call {@code beforeCommit} with the
   * commit's number, from 1; it may throw to make that commit fail.
   */
  private static Destination committingThrough(
      MaildirDestination maildir, Runnable onStage, CommitHook beforeCommit) {
    return new Destination() {
      int commits;

      @Override
      public String describe() {
        return maildir.describe();
      }

      @Override
      public Staged stage(Incoming message, InputStream body) throws DeliveryException {
        Staged staged = maildir.stage(message, body);
        onStage.run();
        return staged;
      }

      @Override
      public void commit(List<Staged> batch) throws DeliveryException {
        beforeCommit.before(++commits);
        maildir.commit(batch);
      }

      @Override
      public Optional<Commit> detach(List<Staged> batch) {
        int number = ++commits;
        Commit commit = maildir.detach(batch).orElseThrow();
        return Optional.of(
            () -> {
              beforeCommit.before(number);
              commit.run();
            });
      }

      @Override
      public void discard(List<Staged> batch) {
        maildir.discard(batch);
      }
    };
  }

  @FunctionalInterface
  private interface CommitHook {
    void before(int commit) throws DeliveryException;
  }

  private long inTmp() throws IOException {
    try (Stream<Path> s = Files.list(maildir.resolve("tmp"))) {
      return s.count();
    }
  }

  @Test
  void theNextBatchIsRetrievedWhileACommitRunsAndNoDeleComesBeforeItsOwnCommit() throws Exception {
    CountDownLatch thirdStaged = new CountDownLatch(1);
    AtomicInteger staged = new AtomicInteger();
    Destination destination =
        committingThrough(
            new MaildirDestination(maildir, "h"),
            () -> {
              if (staged.incrementAndGet() == 3) {
                thirdStaged.countDown();
              }
            },
            commit -> {
              // The first batch's commit ends only once the second batch is coming in: a commit
              // that held up the retrieval would wait here in vain.
              try {
                if (commit == 1 && !thirdStaged.await(5, TimeUnit.SECONDS)) {
                  throw DeliveryException.deferred("the next batch was not retrieved meanwhile");
                }
              } catch (InterruptedException e) {
                throw DeliveryException.deferred("interrupted");
              }
            });
    AccountKey key = AccountKey.of("127.0.0.1", 0, "u");
    try (ScriptedServer server =
        server(
            c -> {
              login(c, 4);
              c.expect("RETR 1");
              c.expect("RETR 2");
              message(c, 1);
              message(c, 2);
              c.expect("RETR 3");
              c.expect("RETR 4");
              message(c, 3);
              message(c, 4);
              c.expect("DELE 1");
              c.expect("DELE 2");
              // At its first DELE a batch is in new/ and recorded delete-pending.
              assertThat(delivered()).isGreaterThanOrEqualTo(2);
              assertThat(store.load(AccountKey.of("127.0.0.1", port, "u")))
                  .hasEntrySatisfying(
                      "uid-1", u -> assertThat(u.state()).isEqualTo(UidState.DELETE_PENDING))
                  .hasEntrySatisfying(
                      "uid-2", u -> assertThat(u.state()).isEqualTo(UidState.DELETE_PENDING));
              c.send("+OK", "+OK");
              c.expect("DELE 3");
              c.expect("DELE 4");
              assertThat(delivered()).isEqualTo(4);
              assertThat(store.load(AccountKey.of("127.0.0.1", port, "u")))
                  .containsKeys("uid-3", "uid-4");
              c.send("+OK", "+OK");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult result = poll(server, destination, pairs());
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(4);
      assertThat(result.deleted()).isEqualTo(4);
    }
    assertThat(delivered()).isEqualTo(4);
    assertThat(inTmp()).isZero();
    assertThat(store.load(key)).isEmpty();
  }

  @Test
  void aFailedCommitDeletesNothingOfItsBatchNorOfTheBatchRetrievedMeanwhile() throws Exception {
    Destination destination =
        committingThrough(
            new MaildirDestination(maildir, "h"),
            () -> {},
            commit -> {
              if (commit == 2) {
                throw DeliveryException.deferred("No space left on device");
              }
            });
    try (ScriptedServer server =
        server(
            c -> {
              login(c, 6);
              c.expect("RETR 1");
              c.expect("RETR 2");
              message(c, 1);
              message(c, 2);
              c.expect("RETR 3");
              c.expect("RETR 4");
              message(c, 3);
              message(c, 4);
              c.expect("DELE 1"); // the first batch's commit went through
              c.expect("DELE 2");
              c.send("+OK", "+OK");
              c.expect("RETR 5");
              c.expect("RETR 6");
              message(c, 5);
              message(c, 6);
              c.expect("QUIT"); // the second commit failed: no DELE for 3..6
              c.send("+OK");
            })) {
      PollResult result = poll(server, destination, pairs());
      assertThat(result.failure()).map(PollFailure::kind).contains(PollFailure.Kind.DELIVERY);
      assertThat(result.failure().get().message()).contains("No space left on device");
      assertThat(result.fetched()).isEqualTo(2);
      assertThat(result.deleted()).isEqualTo(2);
    }
    assertThat(delivered()).isEqualTo(2);
    assertThat(inTmp()).as("the batches not committed were thrown away").isZero();
    assertThat(store.load(AccountKey.of("127.0.0.1", port, "u"))).isEmpty();
    // The next poll finds 3..6, now numbered 1..4, and delivers them: nothing was lost.
    try (ScriptedServer server =
        server(
            c -> {
              login(
                  c,
                  List.of("1 30", "2 30", "3 30", "4 30"),
                  List.of("1 uid-3", "2 uid-4", "3 uid-5", "4 uid-6"));
              for (int i = 1; i <= 4; i++) {
                c.expect("RETR " + i);
              }
              for (int i = 1; i <= 4; i++) {
                message(c, i + 2);
              }
              for (int i = 1; i <= 4; i++) {
                c.expect("DELE " + i);
              }
              c.send("+OK", "+OK", "+OK", "+OK");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult second = poll(server);
      assertThat(second.failure()).isEmpty();
      assertThat(second.fetched()).isEqualTo(4);
    }
    assertThat(delivered()).isEqualTo(6);
  }

  private static FetchPolicy keep(OptionalLong maxSize) {
    return new FetchPolicy(true, Optional.empty(), maxSize, OptionalInt.empty(), 200, 1 << 25);
  }

  /** Greeting, login and LIST, for a server that has no UIDL. */
  private static void loginWithoutUidl(Conversation c, int messages) throws IOException {
    c.send("+OK ready");
    c.expect("CAPA");
    c.send("-ERR no CAPA here");
    c.expect("USER u");
    c.send("+OK");
    c.expect("PASS p");
    c.send("+OK");
    c.expect("LIST");
    c.send("+OK");
    for (int i = 1; i <= messages; i++) {
      c.send(i + " 30");
    }
    c.send(".");
    c.expect("UIDL");
    c.send("-ERR unknown command");
  }

  @Test
  void withoutUidlDeleteModeStillFetchesAndDeletes() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              loginWithoutUidl(c, 2);
              for (int i = 1; i <= 2; i++) {
                c.expect("RETR " + i);
                message(c, i);
              }
              for (int i = 1; i <= 2; i++) {
                c.expect("DELE " + i);
                c.send("+OK");
              }
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult result = poll(server);
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(2);
      assertThat(result.deleted()).isEqualTo(2);
    }
    assertThat(delivered()).isEqualTo(2);
  }

  @Test
  void withoutUidlKeepModeIsRefusedAndNothingIsFetched() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              loginWithoutUidl(c, 2);
              c.expectClose();
            })) {
      PollResult result = poll(server, keep(OptionalLong.empty()));
      assertThat(result.failure())
          .hasValueSatisfying(
              f -> {
                assertThat(f.kind()).isEqualTo(PollFailure.Kind.CONFIG);
                assertThat(f.message()).contains("does not support UIDL").contains("keep: true");
              });
      assertThat(result.fetched()).isZero();
    }
  }

  @Test
  void uidsThatVanishedFromTheServerAreForgotten() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              login(c, 3);
              for (int i = 1; i <= 3; i++) {
                c.expect("RETR " + i);
              }
              for (int i = 1; i <= 3; i++) {
                message(c, i);
              }
              c.expect("QUIT");
              c.send("+OK");
            })) {
      assertThat(poll(server, keep(OptionalLong.empty())).fetched()).isEqualTo(3);
    }
    AccountKey key = AccountKey.of("127.0.0.1", port, "u");
    assertThat(store.load(key)).containsOnlyKeys("uid-1", "uid-2", "uid-3");
    // Someone deleted message 1 with another client; 2 and 3 are now numbers 1 and 2.
    try (ScriptedServer server =
        server(
            c -> {
              login(c, List.of("1 30", "2 30"), List.of("1 uid-2", "2 uid-3"));
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult result = poll(server, keep(OptionalLong.empty()));
      assertThat(result.fetched()).isZero();
      assertThat(result.failure()).isEmpty();
    }
    assertThat(store.load(key)).containsOnlyKeys("uid-2", "uid-3");
    assertThat(delivered()).isEqualTo(3);
  }

  @Test
  void anOversizeMessageIsReportedOnceNotEveryPoll() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(Selection.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    logger.addAppender(events);
    try {
      for (int round = 0; round < 2; round++) {
        boolean first = round == 0;
        try (ScriptedServer server =
            server(
                c -> {
                  login(c, List.of("1 30", "2 5000000"), List.of("1 small", "2 huge"));
                  if (first) {
                    c.expect("RETR 1");
                    message(c, 1);
                  }
                  c.expect("QUIT");
                  c.send("+OK");
                })) {
          PollResult result = poll(server, keep(OptionalLong.of(1_000_000)));
          assertThat(result.oversize()).isEqualTo(1);
          assertThat(result.fetched()).isEqualTo(first ? 1 : 0);
        }
      }
    } finally {
      logger.detachAppender(events);
    }
    assertThat(events.list)
        .filteredOn(e -> e.getFormattedMessage().contains("larger than max-size"))
        .hasSize(1);
  }

  @Test
  void aReusedUniqueIdWithAnotherSizeIsFetchedAsANewMessage() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              login(c, List.of("1 100"), List.of("1 AAA"));
              c.expect("RETR 1");
              message(c, 1);
              c.expect("QUIT");
              c.send("+OK");
            })) {
      assertThat(poll(server, keep(OptionalLong.empty())).fetched()).isEqualTo(1);
    }
    try (ScriptedServer server =
        server(
            c -> {
              // The server lost message 1 and gave its unique-id to a new, larger message.
              login(c, List.of("1 20000"), List.of("1 AAA"));
              c.expect("RETR 1");
              c.send("+OK", "Subject: message 2", "", "x".repeat(19_970), ".");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      assertThat(poll(server, keep(OptionalLong.empty())).fetched()).isEqualTo(1);
    }
    assertThat(delivered()).isEqualTo(2);
  }

  @Test
  void sizeNoiseDoesNotMakeAKeptMessageNew() {
    SeenUid seen = new SeenUid("A", UidState.KEPT, Instant.EPOCH, 4096);
    assertThat(Selection.reused(seen, new Selection.Entry(1, 4150, "A", true))).isFalse();
    assertThat(Selection.reused(seen, new Selection.Entry(1, 9000, "A", true))).isTrue();
  }

  @Test
  void aKeptMessageOfUnknownSizeIsNeverTakenForAReusedId() {
    // Imported from another client's memory, which keeps no sizes: 0 means unknown.
    SeenUid imported = new SeenUid("A", UidState.KEPT, Instant.EPOCH, SeenUid.UNKNOWN_SIZE);
    assertThat(Selection.reused(imported, new Selection.Entry(1, 90_000, "A", true))).isFalse();
  }

  @Test
  void uniqueIdsChangedWholesaleAreReportedLoudly() {
    Map<String, SeenUid> seen = new HashMap<>();
    List<ScanListing> listing = new ArrayList<>();
    Map<Integer, String> uids = new HashMap<>();
    for (int i = 1; i <= 30; i++) {
      seen.put("old-" + i, new SeenUid("old-" + i, UidState.KEPT, Instant.EPOCH, 30));
      listing.add(new ScanListing(i, 30));
      uids.put(i, "new-format-" + i);
    }
    Logger logger = (Logger) LoggerFactory.getLogger(Selection.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    logger.addAppender(events);
    try {
      Selection selection =
          Selection.select(
              "acct", listing, uids, true, seen, keep(OptionalLong.empty()), Instant.EPOCH);
      assertThat(selection.fetch()).hasSize(30);
    } finally {
      logger.detachAppender(events);
    }
    assertThat(events.list)
        .anySatisfy(
            e ->
                assertThat(e.getFormattedMessage())
                    .contains("30 of 30 unique-ids on the server are unknown")
                    .contains("seem to have changed"));
  }
}
