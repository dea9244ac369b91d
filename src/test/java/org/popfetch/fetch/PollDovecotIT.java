package org.popfetch.fetch;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.app.Main;
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
import org.popfetch.testing.CuttingProxy;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.TestPki;
import picocli.CommandLine;

/** {@code popfetch poll} against a real Dovecot: every mode, and the promise under faults. */
class PollDovecotIT {
  @TempDir static Path shared;
  static DovecotServer dovecot;
  static Path caFile;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    TestPki pki = TestPki.create("popfetch poll test CA");
    caFile = pki.writeCaPem(shared.resolve("ca.pem"));
    List<String> users = new ArrayList<>();
    for (String u :
        List.of(
            "del", "keep", "later", "big", "limit", "a1", "a2", "a3", "reader", "cut", "stopper")) {
      users.add(u);
      users.add("pw-" + u);
    }
    dovecot =
        DovecotServer.start(
            DovecotServer.users(users.toArray(String[]::new)), pki.issue("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private static void seed(String user, String... ids) throws Exception {
    for (String id : ids) {
      dovecot.deliver(user, Mail.message(id, 20).getBytes(ISO_8859_1));
    }
  }

  private String account(String user, String extra) {
    return """
      - name: %1$s
        server: 127.0.0.1
        port: %2$d
        tls: implicit
        ca-file: %3$s
        user: %1$s
        password: pw-%1$s
        deliver: { maildir: %4$s }
    %5$s
    """
        .formatted(
            user,
            dovecot.pop3sPort(),
            caFile,
            dir.resolve("Maildir-" + user),
            extra.indent(4).stripTrailing());
  }

  private Path config(String... accounts) throws Exception {
    Path file = dir.resolve("popfetch.yaml");
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        file,
        "state: { url: \"jdbc:sqlite:"
            + dir.resolve("state.db")
            + "\" }\nparallel: 3\naccounts:\n"
            + String.join("", accounts));
    return file;
  }

  private record Run(int status, String output) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return new Run(cli.execute(args), out.toString());
  }

  private Path maildir(String user) {
    return dir.resolve("Maildir-" + user);
  }

  @Test
  void deleteModeFetchesEverythingOnceAndEmptiesTheServer() throws Exception {
    seed("del", "d1", "d2", "d3");
    Path config = config(account("del", ""));
    Run first = popfetch("poll", "--config", config.toString());
    assertThat(first.status()).as(first.output()).isZero();
    assertThat(Mail.idsIn(maildir("del"))).containsExactlyInAnyOrder("d1", "d2", "d3");
    assertThat(dovecot.messageCount("del")).isZero();
    try (Stream<Path> files = Files.list(maildir("del").resolve("new"))) {
      for (Path f : files.toList()) {
        String id = Mail.idsIn(maildir("del")).get(0);
        assertThat(Files.readString(f, ISO_8859_1))
            .startsWith("Received: from 127.0.0.1 by ")
            .doesNotContain("\r");
      }
    }
    Run second = popfetch("poll", "--config", config.toString());
    assertThat(second.status()).as(second.output()).isEqualTo(1);
  }

  @Test
  void keepModeFetchesOnlyWhatIsNewAcrossThreeRuns() throws Exception {
    Path config = config(account("keep", "keep: true"));
    seed("keep", "k1", "k2");
    assertThat(popfetch("poll", "--config", config.toString()).status()).isZero();
    seed("keep", "k3");
    Run second = popfetch("poll", "--config", config.toString());
    assertThat(second.status()).as(second.output()).isZero();
    Run third = popfetch("poll", "--config", config.toString());
    assertThat(third.status()).as(third.output()).isEqualTo(1);
    assertThat(Mail.idsIn(maildir("keep"))).containsExactlyInAnyOrder("k1", "k2", "k3");
    assertThat(dovecot.messageCount("keep")).isEqualTo(3);
    Run check = popfetch("check", "--config", config.toString());
    assertThat(check.status()).isEqualTo(1);
    assertThat(check.output()).containsPattern("keep\\s+3\\s+\\d+\\s+0\\s+0");
  }

  @Test
  void deleteAfterDeletesKeptMailOnceItIsOldEnough() throws Exception {
    seed("later", "l1", "l2");
    Instant t0 = Instant.parse("2026-11-01T00:00:00Z");
    FetchPolicy policy =
        new FetchPolicy(
            true,
            Optional.of(Duration.ofDays(7)),
            OptionalLong.empty(),
            OptionalInt.empty(),
            200,
            1 << 25);
    try (SqliteSeenUidStore store =
        SqliteSeenUidStore.open("jdbc:sqlite:" + dir.resolve("later.db"))) {
      PollResult first = poll("later", policy, store, Clock.fixed(t0, ZoneOffset.UTC));
      assertThat(first.fetched()).isEqualTo(2);
      assertThat(first.deleted()).isZero();
      seed("later", "l3");
      PollResult sixDays =
          poll("later", policy, store, Clock.fixed(t0.plus(Duration.ofDays(6)), ZoneOffset.UTC));
      assertThat(sixDays.fetched()).isEqualTo(1);
      assertThat(sixDays.deleted()).isZero();
      PollResult eightDays =
          poll("later", policy, store, Clock.fixed(t0.plus(Duration.ofDays(8)), ZoneOffset.UTC));
      assertThat(eightDays.fetched()).isZero();
      assertThat(eightDays.deleted()).isEqualTo(2); // l1, l2; l3 was first seen on day 6
    }
    assertThat(dovecot.messageCount("later")).isEqualTo(1);
    assertThat(Mail.idsIn(maildir("later"))).containsExactlyInAnyOrder("l1", "l2", "l3");
  }

  @Test
  void aStopMidBatchFinishesTheMessageInHandDeliversWhatCameAndLeavesTheRest() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      ids.add("s" + i);
    }
    seed("stopper", ids.toArray(String[]::new));
    FetchPolicy policy = FetchPolicy.deleteMode();
    AtomicInteger staged = new AtomicInteger();
    FetchObserver counting =
        new FetchObserver() {
          @Override
          public void fetched(String account, int number, long octets) {
            staged.incrementAndGet();
          }
        };
    try (SeenUidStore store = SqliteSeenUidStore.open("jdbc:sqlite:" + dir.resolve("stop.db"))) {
      Pop3Settings settings =
          new Pop3Settings(
              "127.0.0.1",
              dovecot.pop3sPort(),
              TlsMode.IMPLICIT,
              TlsTrust.withCaFile(caFile),
              new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30)),
              false,
              Framing.CRLF,
              32);
      Pop3Account account =
          new Pop3Account(
              "stopper",
              settings,
              new Credentials.Password("stopper", "pw-stopper"),
              AuthMethod.AUTO,
              "stopper@test");
      PollResult stopped =
          new AccountPoll(
                  account,
                  policy,
                  store,
                  new MaildirDestination(maildir("stopper"), "h"),
                  new MaildirDestination(dir.resolve("quarantine"), "h"),
                  "h",
                  Clock.systemUTC(),
                  counting,
                  ProtocolTrace.NONE)
              .stopWhen(() -> staged.get() >= 3)
              .run();

      assertThat(stopped.failure()).isEmpty();
      assertThat(stopped.fetched()).as("the poll stopped inside its one batch of ten").isEqualTo(3);
      assertThat(stopped.deleted()).isEqualTo(3);
      assertThat(dovecot.messageCount("stopper")).as("QUIT committed the three DELEs").isEqualTo(7);

      PollResult rest = poll("stopper", policy, store, Clock.systemUTC());
      assertThat(rest.fetched()).isEqualTo(7);
    }
    List<String> delivered = Mail.idsIn(maildir("stopper"));
    assertThat(delivered).hasSize(10).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(dovecot.messageCount("stopper")).isZero();
  }

  private PollResult poll(String user, FetchPolicy policy, SeenUidStore store, Clock clock)
      throws Exception {
    Pop3Settings settings =
        new Pop3Settings(
            "127.0.0.1",
            dovecot.pop3sPort(),
            TlsMode.IMPLICIT,
            TlsTrust.withCaFile(caFile),
            new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30)),
            false,
            Framing.CRLF,
            32);
    Pop3Account account =
        new Pop3Account(
            user,
            settings,
            new Credentials.Password(user, "pw-" + user),
            AuthMethod.AUTO,
            user + "@test");
    return new AccountPoll(
            account,
            policy,
            store,
            new MaildirDestination(maildir(user), "h"),
            new MaildirDestination(dir.resolve("quarantine"), "h"),
            "h",
            clock,
            FetchObserver.NONE,
            ProtocolTrace.NONE)
        .run();
  }

  @Test
  void maxSizeLeavesLargeMessagesOnTheServer() throws Exception {
    seed("big", "small1");
    dovecot.deliver("big", Mail.message("huge", 20_000).getBytes(ISO_8859_1));
    seed("big", "small2");
    Path config = config(account("big", "max-size: 100KB"));
    Run first = popfetch("poll", "--config", config.toString());
    assertThat(first.status()).as(first.output()).isZero();
    assertThat(Mail.idsIn(maildir("big"))).containsExactlyInAnyOrder("small1", "small2");
    assertThat(dovecot.messageCount("big")).isEqualTo(1);
    Run second = popfetch("poll", "--config", config.toString());
    assertThat(second.status()).isEqualTo(1);
    assertThat(dovecot.messageCount("big")).isEqualTo(1);
  }

  @Test
  void fetchLimitCapsEachPoll() throws Exception {
    seed("limit", "f1", "f2", "f3", "f4", "f5");
    Path config = config(account("limit", "fetch-limit: 2"));
    assertThat(popfetch("poll", "--config", config.toString()).status()).isZero();
    assertThat(Mail.idsIn(maildir("limit"))).containsExactlyInAnyOrder("f1", "f2");
    assertThat(dovecot.messageCount("limit")).isEqualTo(3);
    popfetch("poll", "--config", config.toString());
    popfetch("poll", "--config", config.toString());
    assertThat(Mail.idsIn(maildir("limit")))
        .containsExactlyInAnyOrder("f1", "f2", "f3", "f4", "f5");
    assertThat(dovecot.messageCount("limit")).isZero();
  }

  @Test
  void threeAccountsArePolledTogether() throws Exception {
    for (String u : List.of("a1", "a2", "a3")) {
      seed(u, u + "-m1", u + "-m2");
    }
    Path config = config(account("a1", ""), account("a2", ""), account("a3", ""));
    Run run = popfetch("poll", "--config", config.toString());
    assertThat(run.status()).as(run.output()).isZero();
    for (String u : List.of("a1", "a2", "a3")) {
      assertThat(Mail.idsIn(maildir(u))).containsExactlyInAnyOrder(u + "-m1", u + "-m2");
      assertThat(dovecot.messageCount(u)).isZero();
    }
  }

  @Test
  void dovecotReadsTheMaildirPopfetchWrote() throws Exception {
    String tricky =
        "From: x@example.org\n"
            + "Subject: tricky\n"
            + "Message-ID: <tricky@popfetch.test>\n\n"
            + ".\n"
            + "..\n"
            + "From the start\n"
            + ">From quoted\n"
            + "NUL \0 here\n";
    dovecot.deliver("del", tricky.getBytes(ISO_8859_1));
    seed("del", "r2");
    // popfetch delivers straight into the Maildir Dovecot serves to the user "reader".
    Path config =
        config(
            account("del", "")
                .replace(maildir("del").toString(), dovecot.maildir("reader").toString()));
    Run run = popfetch("poll", "--config", config.toString());
    assertThat(run.status()).as(run.output()).isZero();
    dovecot.giveToMailUser(dovecot.maildir("reader"));
    Pop3Settings settings =
        new Pop3Settings(
            "127.0.0.1",
            dovecot.pop3sPort(),
            TlsMode.IMPLICIT,
            TlsTrust.withCaFile(caFile),
            new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30)),
            false,
            Framing.CRLF,
            32);
    try (Pop3Client client = Pop3Client.connect(settings, ProtocolTrace.NONE)) {
      client.login(new Credentials.Password("reader", "pw-reader"), AuthMethod.AUTO);
      assertThat(client.stat().messages()).isEqualTo(2);
      List<String> bodies = new ArrayList<>();
      client.retr(
          List.of(1, 2), (n, body) -> bodies.add(new String(body.readAllBytes(), ISO_8859_1)));
      assertThat(bodies)
          .anySatisfy(
              b ->
                  assertThat(b.replace("\r\n", "\n"))
                      .endsWith(tricky)
                      .contains("Delivered-To: del@127.0.0.1\n"));
      client.quit();
    }
  }

  @Test
  void aConnectionCutInTheThirdOfFiveMessagesLosesNothing() throws Exception {
    seed("cut", "c1", "c2", "c3", "c4", "c5");
    Path config;
    try (CuttingProxy proxy = new CuttingProxy(dovecot.pop3Port(), "line 10 of c3")) {
      String viaProxy =
          account("cut", "uid-scope: cut-mailbox")
              .replace("tls: implicit", "tls: none")
              .replace("port: " + dovecot.pop3sPort(), "port: " + proxy.port());
      config = config(viaProxy);
      Run first = popfetch("poll", "--config", config.toString());
      assertThat(proxy.hasCut()).isTrue();
      assertThat(first.status()).as(first.output()).isEqualTo(4);
      assertThat(Mail.idsIn(maildir("cut"))).containsExactlyInAnyOrder("c1", "c2");
      assertThat(dovecot.messageCount("cut")).isEqualTo(5);
    }
    // The same account straight to Dovecot: another port, so the scope is named to keep the state.
    Path direct =
        config(
            account("cut", "uid-scope: cut-mailbox")
                .replace("tls: implicit", "tls: none")
                .replace("port: " + dovecot.pop3sPort(), "port: " + dovecot.pop3Port()));
    Run second = popfetch("poll", "--config", direct.toString());
    assertThat(second.status()).as(second.output()).isZero();
    assertThat(Mail.idsIn(maildir("cut"))).containsExactlyInAnyOrder("c1", "c2", "c3", "c4", "c5");
    assertThat(dovecot.messageCount("cut")).isZero();
  }

  static List<Integer> range(int n) {
    return IntStream.rangeClosed(1, n).boxed().toList();
  }
}
