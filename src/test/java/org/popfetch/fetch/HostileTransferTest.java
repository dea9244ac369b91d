package org.popfetch.fetch;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
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

/**
 * Servers whose message bodies cannot be trusted: not dot-stuffed, far longer than announced, never
 * ending. Whatever arrives, nothing of a message not received whole is delivered, recorded as
 * deletable or deleted, and the poll ends in bounded time.
 */
class HostileTransferTest {
  private static final AccountKey KEY = AccountKey.named("u@hostile-transfer");
  private static final Timeouts NORMAL = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5));

  @TempDir Path dir;
  SqliteSeenUidStore store;
  Path maildir;
  int port;

  @BeforeEach
  void open() throws IOException {
    store = SqliteSeenUidStore.open("jdbc:sqlite:" + dir.resolve("state.db"));
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

  private AccountPoll accountPoll(ScriptedServer server, FetchPolicy policy, Timeouts timeouts)
      throws IOException {
    return accountPoll(server, policy, timeouts, FetchObserver.NONE);
  }

  private AccountPoll accountPoll(
      ScriptedServer server, FetchPolicy policy, Timeouts timeouts, FetchObserver observer)
      throws IOException {
    Pop3Settings settings =
        new Pop3Settings(
            "127.0.0.1",
            server.port(),
            TlsMode.NONE,
            TlsTrust.SYSTEM,
            timeouts,
            true,
            Framing.CRLF,
            32);
    Pop3Account account =
        new Pop3Account(
            "test",
            settings,
            new Credentials.Password("u", "p"),
            AuthMethod.USER,
            "u@test",
            Optional.empty(),
            KEY);
    return new AccountPoll(
        account,
        policy,
        store,
        new MaildirDestination(maildir, "h"),
        new MaildirDestination(dir.resolve("quarantine"), "h"),
        "h",
        Clock.systemUTC(),
        observer,
        ProtocolTrace.NONE);
  }

  private PollResult poll(ScriptedServer server) throws IOException {
    return accountPoll(server, FetchPolicy.deleteMode(), NORMAL).run();
  }

  private List<String> delivered() throws IOException {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(maildir.resolve("new"))) {
      return out;
    }
    try (Stream<Path> s = Files.list(maildir.resolve("new"))) {
      for (Path p : s.toList()) {
        out.add(Files.readString(p, ISO_8859_1));
      }
    }
    return out;
  }

  /** Greeting, CAPA with PIPELINING, USER/PASS, then LIST and UIDL with these sizes. */
  private static void login(Conversation c, long... sizes) throws IOException {
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
    for (int i = 1; i <= sizes.length; i++) {
      c.send(i + " " + sizes[i - 1]);
    }
    c.send(".");
    c.expect("UIDL");
    c.send("+OK");
    for (int i = 1; i <= sizes.length; i++) {
      c.send(i + " uid-" + i);
    }
    c.send(".");
  }

  /** A message whose wire form (CRLF, no stuffing needed) is exactly {@code size} octets. */
  private static String text(int i, int size) {
    String head = "Subject: message " + i + "\r\n\r\n";
    return head + "x".repeat(size - head.length() - 2) + "\r\n";
  }

  private static String retrReply(String text) {
    return "+OK " + text.length() + " octets\r\n" + text + ".\r\n";
  }

  /** A healthy second session: every message is fetched (none was delete-pending) and deleted. */
  private void aHealthyPollFetchesAllOf(int messages, int size) throws Exception {
    long[] sizes = new long[messages];
    Arrays.fill(sizes, size);
    try (ScriptedServer server =
        server(
            c -> {
              login(c, sizes);
              for (int i = 1; i <= messages; i++) {
                c.expect("RETR " + i);
              }
              StringBuilder all = new StringBuilder();
              for (int i = 1; i <= messages; i++) {
                all.append(retrReply(text(i, size)));
              }
              c.sendRaw(all.toString().getBytes(ISO_8859_1));
              for (int i = 1; i <= messages; i++) {
                c.expect("DELE " + i); // no DELE before the RETRs: nothing was delete-pending
              }
              for (int i = 1; i <= messages; i++) {
                c.send("+OK");
              }
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult result = poll(server);
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(messages);
    }
  }

  @Test
  void anUnstuffedTerminatorFollowedByAFakeReplyDeliversAndMarksNothingOfTheBatch()
      throws Exception {
    int size = 6000;
    // Message 1 holds "CRLF.CRLF+OK 50 octets" near its start, and the server does not stuff it:
    // read naively, the stream shifts by one response and message 3 is never delivered at all.
    String poisoned =
        "Subject: message 1\r\n\r\nhello\r\n.\r\n+OK 50 octets\r\nSubject: forged\r\n\r\n"
            + "f".repeat(40)
            + "\r\n";
    String message1 = poisoned + "x".repeat(size - poisoned.length() - 2) + "\r\n";
    try (ScriptedServer server =
        server(
            c -> {
              login(c, message1.length(), size, size);
              for (int i = 1; i <= 3; i++) {
                c.expect("RETR " + i);
              }
              c.sendRaw(
                  ("+OK "
                          + message1.length()
                          + " octets\r\n"
                          + message1
                          + ".\r\n"
                          + retrReply(text(2, size))
                          + retrReply(text(3, size)))
                      .getBytes(ISO_8859_1));
              c.expectClose(); // no DELE, no QUIT: the session is out of step
            })) {
      PollResult result = poll(server);
      assertThat(result.failure()).map(PollFailure::kind).contains(PollFailure.Kind.PROTOCOL);
      assertThat(result.failure().get().message())
          .contains("message 1")
          .contains("stays on the server");
      assertThat(result.fetched()).isZero();
      assertThat(result.deleted()).isZero();
    }
    assertThat(store.load(KEY)).isEmpty();
    assertThat(delivered()).isEmpty();
    aHealthyPollFetchesAllOf(3, size);
    assertThat(delivered()).hasSize(3).allSatisfy(m -> assertThat(m).doesNotContain("forged"));
  }

  @Test
  void aReplyThatIsNotAStatusLineMakesTheMessageBeforeItSuspect() throws Exception {
    // Too small for the size check to see the cut: the line after the unstuffed dot shows it.
    String message2 = "Subject: message 2\r\n\r\nbefore\r\n.\r\nafter\r\n";
    try (ScriptedServer server =
        server(
            c -> {
              login(c, 30, message2.length(), 30);
              for (int i = 1; i <= 3; i++) {
                c.expect("RETR " + i);
              }
              c.sendRaw(
                  (retrReply(text(1, 30)) + "+OK\r\n" + message2 + ".\r\n" + retrReply(text(3, 30)))
                      .getBytes(ISO_8859_1));
              c.expectClose();
            })) {
      PollResult result = poll(server);
      assertThat(result.failure()).map(PollFailure::kind).contains(PollFailure.Kind.PROTOCOL);
      assertThat(result.fetched()).isEqualTo(1);
    }
    // Message 1 came whole before the break: delivered and delete-pending. Message 2 was cut at
    // its bare "." line: not delivered, not recorded.
    assertThat(delivered()).hasSize(1).allSatisfy(m -> assertThat(m).contains("message 1"));
    Map<String, SeenUid> recorded = store.load(KEY);
    assertThat(recorded).containsOnlyKeys("uid-1");
    assertThat(recorded.get("uid-1").state()).isEqualTo(UidState.DELETE_PENDING);
  }

  @Test
  void bytesLeftOverAfterTheLastReplyOfABatchAreADesync() throws Exception {
    String message1 = "Subject: message 1\r\n\r\nA\r\n.\r\nthe rest\r\n";
    try (ScriptedServer server =
        server(
            c -> {
              login(c, message1.length());
              c.expect("RETR 1");
              c.sendRaw(("+OK\r\n" + message1 + ".\r\n").getBytes(ISO_8859_1));
              c.expectClose();
            })) {
      PollResult result = poll(server);
      assertThat(result.failure()).map(PollFailure::kind).contains(PollFailure.Kind.PROTOCOL);
      assertThat(result.fetched()).isZero();
    }
    assertThat(delivered()).isEmpty();
    assertThat(store.load(KEY)).isEmpty();
  }

  @Test
  void aBodyFarLongerThanListedIsCutAtMaxSizeAndLeftAsOversize() throws Exception {
    FetchPolicy maxSize1K =
        new FetchPolicy(
            false, Optional.empty(), OptionalLong.of(1024), OptionalInt.empty(), 200, 1 << 25);
    try (ScriptedServer server =
        server(
            c -> {
              login(c, 81, 30);
              c.expect("RETR 1");
              c.expect("RETR 2");
              OutputStream out = c.output();
              try {
                out.write("+OK 81 octets\r\nSubject: huge\r\n\r\n".getBytes(ISO_8859_1));
                byte[] line = ("z".repeat(998) + "\r\n").getBytes(ISO_8859_1);
                for (int i = 0; i < 10 * 1024; i++) { // 10 MB
                  out.write(line);
                }
                out.write(".\r\n".getBytes(ISO_8859_1));
                out.write(retrReply(text(2, 30)).getBytes(ISO_8859_1));
                out.flush();
              } catch (IOException e) {
                return; // the client hung up: expected
              }
              c.expectClose();
            })) {
      PollResult result = accountPoll(server, maxSize1K, NORMAL).run();
      assertThat(result.fetched()).isZero();
      assertThat(result.deleted()).isZero();
      assertThat(result.oversize()).isEqualTo(1);
    }
    assertThat(delivered()).isEmpty();
    Map<String, SeenUid> recorded = store.load(KEY);
    assertThat(recorded).containsOnlyKeys("uid-1");
    assertThat(recorded.get("uid-1").state()).isEqualTo(UidState.OVERSIZE);
    // The next poll leaves it alone (and does not report it again) and fetches the rest.
    try (ScriptedServer server =
        server(
            c -> {
              login(c, 81, 30);
              c.expect("RETR 2");
              c.sendRaw(retrReply(text(2, 30)).getBytes(ISO_8859_1));
              c.expect("DELE 2");
              c.send("+OK");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult result = accountPoll(server, maxSize1K, NORMAL).run();
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(1);
      assertThat(result.oversize()).isEqualTo(1);
    }
    assertThat(delivered()).hasSize(1);
  }

  @Test
  void aBodyThatTricklesForeverEndsThePollAtTheMessageDeadline() throws Exception {
    // 20 octets every 5 ms: far above the minimum rate even when a loaded machine lets the server
    // run only now and then, so only a deadline on the whole message (twice the read timeout) ends
    // it, never the rate guard or the read timeout.
    Timeouts trickle = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(2), 100);
    byte[] drip = "s".repeat(20).getBytes(ISO_8859_1);
    try (ScriptedServer server =
        server(
            c -> {
              login(c, 81);
              c.expect("RETR 1");
              OutputStream out = c.output();
              try {
                out.write("+OK 81 octets\r\nSubject: slow\r\n\r\n".getBytes(ISO_8859_1));
                while (true) {
                  out.write(drip);
                  out.flush();
                  Thread.sleep(5); // the server's pace under test, not test timing
                }
              } catch (IOException e) {
                // the client gave up: expected
              }
            })) {
      PollResult result =
          assertTimeoutPreemptively(
              Duration.ofSeconds(60),
              () -> accountPoll(server, FetchPolicy.deleteMode(), trickle).run());
      assertThat(result.failure()).map(PollFailure::kind).contains(PollFailure.Kind.PROTOCOL);
      assertThat(result.failure().get().message()).contains("RETR 1").contains("81 octets listed");
      assertThat(result.fetched()).isZero();
    }
    assertThat(delivered()).isEmpty();
    assertThat(store.load(KEY)).isEmpty();
  }

  @Test
  void stopInterruptsATransferInFlightAndAbandonsOnlyTheMessageInHand() throws Exception {
    // Both: the server has sent the start of message 2, and the client has taken message 1.
    CountDownLatch midTransfer = new CountDownLatch(2);
    FetchObserver firstTaken =
        new FetchObserver() {
          @Override
          public void fetched(String account, int number, long octets) {
            if (number == 1) {
              midTransfer.countDown();
            }
          }
        };
    AtomicBoolean stop = new AtomicBoolean();
    // A long read timeout: without an interrupt the poll would sit out the stall.
    Timeouts patient = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(60));
    try (ScriptedServer server =
        server(
            c -> {
              login(c, 30, 5000);
              c.expect("RETR 1");
              c.expect("RETR 2");
              c.sendRaw(
                  (retrReply(text(1, 30)) + "+OK 5000 octets\r\nSubject: in flight\r\n\r\npart")
                      .getBytes(ISO_8859_1));
              midTransfer.countDown();
              c.stall(); // no DELE, no QUIT: the client hangs up
            })) {
      BooleanSupplier stopRequested = stop::get;
      CompletableFuture<PollResult> running =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return accountPoll(server, FetchPolicy.deleteMode(), patient, firstTaken)
                      .stopWhen(stopRequested)
                      .run();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      assertThat(midTransfer.await(60, TimeUnit.SECONDS)).isTrue();
      stop.set(true);
      // Well within the 60 s read timeout: only the stop can end the poll this early.
      PollResult result = running.get(30, TimeUnit.SECONDS);
      assertThat(result.fetched()).isEqualTo(1);
      assertThat(result.deleted()).isZero();
    }
    assertThat(delivered())
        .hasSize(1)
        .allSatisfy(m -> assertThat(m).contains("message 1").doesNotContain("in flight"));
    Map<String, SeenUid> recorded = store.load(KEY);
    assertThat(recorded).containsOnlyKeys("uid-1");
    assertThat(recorded.get("uid-1").state()).isEqualTo(UidState.DELETE_PENDING);
  }

  @Test
  void withoutMaxSizeTheDefaultCapLeavesHugeMessagesAndOnesFoundLongerThanListed() {
    long cap = FetchPolicy.DEFAULT_MESSAGE_CAP;
    List<ScanListing> listing =
        List.of(new ScanListing(1, cap + 1), new ScanListing(2, 81), new ScanListing(3, 81));
    Map<Integer, String> uids = Map.of(1, "uid-1", 2, "uid-2", 3, "uid-3");
    // uid-2 announced 81 octets once and sent more than the cap: it keeps the size it came as.
    Map<String, SeenUid> seen =
        Map.of("uid-2", new SeenUid("uid-2", UidState.OVERSIZE, Instant.EPOCH, cap + 1));
    Selection selection =
        Selection.select(
            "acct", listing, uids, true, seen, FetchPolicy.deleteMode(), Instant.EPOCH);
    assertThat(selection.fetch()).extracting(Selection.Entry::number).containsExactly(3);
    assertThat(selection.oversize()).isEqualTo(2);
    assertThat(selection.newlyOversize()).extracting(SeenUid::uid).containsExactly("uid-1");
  }
}
