package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.PollFailure;
import picocli.CommandLine;

/**
 * {@code poll}, {@code queue flush}, {@code reload} and {@code status} while {@code popfetch run}
 * runs: done by the service through its control socket, not refused with status 8; and without a
 * service, what they did before.
 */
class ServiceControlTest {
  /** A cron that does not fire while the test runs: every poll here is one asked for. */
  private static final String NEVER = "0 0 0 1 1 ? 2099";

  @TempDir Path dir;
  private GreenMail greenMail;
  private GreenMailUser alice;
  private PopfetchDaemon daemon;

  @BeforeEach
  void start() {
    greenMail =
        new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3).dynamicPort());
    greenMail.start();
    alice = greenMail.setUser("alice@example.org", "alice", "pw-alice");
    greenMail.setUser("bob@example.org", "bob", "pw-bob");
  }

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.stop();
    }
    greenMail.stop();
  }

  private record Run(int status, String out, String err) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(cli.execute(args), out.toString(), err.toString());
  }

  private Path config(String... users) throws Exception {
    Path file = dir.resolve("popfetch.yaml");
    if (!Files.exists(file)) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    StringBuilder accounts = new StringBuilder();
    for (String u : users) {
      accounts.append(
          """
            - name: %1$s
              server: 127.0.0.1
              port: %2$d
              tls: none
              user: %1$s
              password: pw-%1$s
              cron: "%3$s"
              deliver: { maildir: %4$s }
          """
              .formatted(u, greenMail.getPop3().getPort(), NEVER, dir.resolve(u)));
    }
    Files.writeString(
        file,
        "state: { url: \"jdbc:sqlite:%s\" }\naccounts:\n%s"
            .formatted(dir.resolve("state.db"), accounts));
    return file;
  }

  private void deliver(GreenMailUser user, String subject) throws Exception {
    user.deliver(
        GreenMailUtil.newMimeMessage(
            "From: a@example.org\r\nTo: alice@example.org\r\nSubject: "
                + subject
                + "\r\n\r\nbody\r\n"));
  }

  private long delivered(String user) throws Exception {
    Path fresh = dir.resolve(user).resolve("new");
    if (!Files.isDirectory(fresh)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(fresh)) {
      return s.count();
    }
  }

  private void startService(Path file) throws Exception {
    daemon = PopfetchDaemon.start(file, false, new PrintWriter(new StringWriter()));
  }

  @Test
  void pollWhileTheServiceRunsIsDoneByItWithTheLocalPollsLinesAndStatuses() throws Exception {
    Path file = config("alice");
    startService(file);
    deliver(alice, "one");
    deliver(alice, "two");

    Run first = popfetch("poll", "--config", file.toString());
    assertThat(first.status()).as(first.err()).isZero(); // was 8: another popfetch is polling
    assertThat(first.out()).contains("alice: 2 on server, 2 fetched (");
    assertThat(delivered("alice")).isEqualTo(2);

    Run again = popfetch("poll", "--config", file.toString(), "alice");
    assertThat(again.status()).as("no new mail").isEqualTo(1);
    assertThat(again.out()).contains("alice: 0 on server, 0 fetched");
  }

  @Test
  void aFailedPollOnRequestEndsWithTheFailuresStatus() throws Exception {
    Path file = config("alice");
    Files.writeString(file, Files.readString(file).replace("pw-alice", "wrong"));
    startService(file);
    Run run = popfetch("poll", "--config", file.toString());
    assertThat(run.status()).isEqualTo(ExitStatus.AUTH.code);
    assertThat(run.err()).contains("alice: poll failed (AUTH)");
  }

  @Test
  void aQuietPollThroughTheServiceShowsOnlyWhatFailedWithWhatToDo() throws Exception {
    Path file = config("alice");
    startService(file);
    Run nothing = popfetch("poll", "--quiet", "--config", file.toString());
    assertThat(nothing.status()).isEqualTo(ExitStatus.NO_MAIL.code);
    assertThat(nothing.out()).isEmpty();
    assertThat(nothing.err()).isEmpty();

    Files.writeString(file, Files.readString(file).replace("pw-alice", "wrong"));
    assertThat(popfetch("reload", "--config", file.toString()).status()).isZero();
    Run failed = popfetch("poll", "-q", "--config", file.toString());
    assertThat(failed.status()).isEqualTo(ExitStatus.AUTH.code);
    assertThat(failed.out()).isEmpty();
    assertThat(failed.err())
        .contains("alice: poll failed (AUTH)")
        .contains(new PollFailure(PollFailure.Kind.AUTH, "x").remedy());
  }

  @Test
  void anUnknownAccountIsAClearErrorFromTheService() throws Exception {
    Path file = config("alice");
    startService(file);
    Run run = popfetch("poll", "--config", file.toString(), "nosuch");
    assertThat(run.status()).isEqualTo(ExitStatus.SYNTAX.code);
    assertThat(run.err()).contains("no account named nosuch in " + file);
  }

  @Test
  void aBrokenReloadIsRefusedWithItsLineAndTheRunningConfigurationPollsOn() throws Exception {
    Path file = config("alice");
    startService(file);
    String good = Files.readString(file);

    // Not YAML at all: the client cannot even find the socket in it, and says where it breaks.
    Files.writeString(file, good + "  - name: [broken\n");
    Run unreadable = popfetch("reload", "--config", file.toString());
    assertThat(unreadable.status()).isEqualTo(ExitStatus.SYNTAX.code);
    assertThat(unreadable.err()).contains(file + ":");

    // Well-formed, but the running service cannot take it (another state store): the service
    // refuses it with the reason, and keeps polling with what it runs. (A secret that cannot be
    // read is no reason: secrets are read at each login, and fail that poll only.)
    Files.writeString(file, good.replace("state.db", "other-state.db"));
    Run refused = popfetch("reload", "--config", file.toString());
    assertThat(refused.status()).isEqualTo(ExitStatus.SYNTAX.code);
    assertThat(refused.err()).contains("the state store changed").contains("reload refused");

    // Metrics asked for where the service started without: it would serve none until a restart.
    Files.writeString(file, "metrics: { listen: \"127.0.0.1:9\" }\n" + good);
    Run metrics = popfetch("reload", "--config", file.toString());
    assertThat(metrics.status()).isEqualTo(ExitStatus.SYNTAX.code);
    assertThat(metrics.err())
        .contains("metrics.listen changed (127.0.0.1:9); restart popfetch for that")
        .contains("reload refused");

    deliver(alice, "after the refused reload");
    Run poll = popfetch("poll", "--config", file.toString());
    assertThat(poll.status()).as(poll.err()).isZero();
    assertThat(delivered("alice")).isEqualTo(1);
  }

  @Test
  void aReloadAddsAnAccountThatAPollOnRequestThenReaches() throws Exception {
    Path file = config("alice");
    startService(file);
    config("alice", "bob");
    Run reload = popfetch("reload", "--config", file.toString());
    assertThat(reload.status()).as(reload.err()).isZero();
    assertThat(reload.out()).contains("configuration reloaded: 2 account(s)");
    Run poll = popfetch("poll", "--config", file.toString(), "bob");
    assertThat(poll.status()).as(poll.err()).isEqualTo(1);
    assertThat(poll.out()).contains("bob: 0 on server");
  }

  @Test
  void queueFlushAndStatusAreAnsweredByTheServiceWithoutMetrics() throws Exception {
    Path file = config("alice");
    startService(file);
    Run flush = popfetch("queue", "flush", "--config", file.toString());
    assertThat(flush.status()).as(flush.err()).isZero(); // was 8
    assertThat(flush.out()).contains("0 delivered, 0 deferred, 0 bounced");

    popfetch("poll", "--config", file.toString());
    Run status = popfetch("status", "--config", file.toString());
    assertThat(status.out()).contains("ACCOUNT").contains("alice").contains("0 on server");
    assertThat(status.out()).contains("queue: 0 message(s)");
  }

  @Test
  void withoutAServiceReloadSaysSoAndPollPollsItself() throws Exception {
    Path file = config("alice");
    Run reload = popfetch("reload", "--config", file.toString());
    assertThat(reload.status()).isEqualTo(ExitStatus.SOCKET.code);
    assertThat(reload.err()).contains("no service answers on " + dir.resolve("control.sock"));

    Run status = popfetch("status", "--config", file.toString());
    assertThat(status.status()).isEqualTo(ExitStatus.SOCKET.code);

    deliver(alice, "polled here");
    Run poll = popfetch("poll", "--config", file.toString());
    assertThat(poll.status()).as(poll.err()).isZero();
    assertThat(delivered("alice")).isEqualTo(1);
    assertThat(dir.resolve("control.sock")).doesNotExist();
  }

  @Test
  void aSocketLeftByAServiceThatDiedIsReplacedAndASecondServiceIsRefused() throws Exception {
    try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      s.bind(UnixDomainSocketAddress.of(dir.resolve("control.sock")));
    }
    Path file = config("alice");
    Run poll = popfetch("poll", "--config", file.toString());
    assertThat(poll.status()).as("a stale socket is no service").isEqualTo(1);

    startService(file);
    StringWriter err = new StringWriter();
    assertThatThrownBy(() -> PopfetchDaemon.start(file, false, new PrintWriter(err)))
        .isInstanceOfSatisfying(
            AccountRun.Exit.class, e -> assertThat(e.status).isEqualTo(ExitStatus.LOCKED.code));
    assertThat(err.toString()).contains("another popfetch is using the state");
    assertThat(popfetch("status", "--config", file.toString()).out())
        .as("the first still answers")
        .contains("alice");
  }
}
