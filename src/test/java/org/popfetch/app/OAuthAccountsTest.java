package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.config.AccountConfig;
import org.popfetch.config.ConfigLoader;
import org.popfetch.oauth.OAuthClient;
import org.popfetch.oauth.OAuthTestServer;
import org.popfetch.oauth.TokenStore;
import org.popfetch.testing.ScriptedServer;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * An account with an {@code oauth:} block, end to end through the command line: {@code poll}
 * logging in with the access token of the stored grant, the one line when there is none yet, a
 * refused grant in the service (one notice, no second request for the spent token), {@code oauth
 * login} by the device flow while the service runs, {@code oauth status}, and the token metrics.
 */
class OAuthAccountsTest {
  private static final String NEVER = "0 0 0 1 1 ? 2099";
  private static final String USER = "alice@example.org";

  @TempDir Path dir;
  OAuthTestServer idp;
  PopfetchDaemon daemon;
  ListAppender<ILoggingEvent> events;
  Logger root;

  @BeforeEach
  void start() throws Exception {
    idp = new OAuthTestServer(Duration.ofHours(1));
    root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    events = new ListAppender<>();
    events.start();
    root.addAppender(events);
  }

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.stop();
    }
    root.detachAppender(events);
    idp.close();
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

  private Path config(int pop3Port) throws Exception {
    Path file = dir.resolve("popfetch.yaml");
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return Files.writeString(
        file,
        """
        state: { url: "jdbc:sqlite:%s" }
        auth-failure-notice: 1
        metrics: { listen: "127.0.0.1:%d" }
        accounts:
          - name: work
            server: 127.0.0.1
            port: %d
            tls: none
            user: %s
            oauth: %s
            cron: "%s"
            deliver: { maildir: %s }
          - name: home
            server: 127.0.0.1
            port: %d
            tls: none
            user: bob
            password: { env: HOME_PASS_UNSET }
            cron: "%s"
            deliver: { maildir: %s }
        """
            .formatted(
                dir.resolve("state.db"),
                freePort(),
                pop3Port,
                USER,
                idp.oauthBlock(),
                NEVER,
                dir.resolve("work"),
                pop3Port,
                NEVER,
                dir.resolve("home")));
  }

  private TokenStore store() {
    return TokenStore.inStateDirectory(dir);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private long delivered(String account) throws Exception {
    Path fresh = dir.resolve(account).resolve("new");
    if (!Files.isDirectory(fresh)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(fresh)) {
      return s.count();
    }
  }

  private List<String> warnings() {
    return List.copyOf(events.list).stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Test
  void aPollLogsInWithTheAccessTokenOfTheStoredGrant() throws Exception {
    try (ScriptedServer pop3 = new ScriptedServer(idp.pop3(USER))) {
      Path file = config(pop3.port());
      String granted = idp.issueRefreshToken();
      store().save("work", granted, Instant.now());

      Run run = popfetch("poll", "--config", file.toString(), "work");

      assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.NO_MAIL.code);
      pop3.awaitScript();
      assertThat(idp.refreshRequests()).isEqualTo(1);
      assertThat(store().read("work").orElseThrow().refreshToken())
          .as("the rotated token is stored")
          .isNotEqualTo(granted);
    }
  }

  @Test
  void withoutAStoredGrantAPollSaysToLogInAndConnectsNowhere() throws Exception {
    try (ServerSocket listener = new ServerSocket()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Path file = config(listener.getLocalPort());

      Run run = popfetch("poll", "--config", file.toString(), "work");

      assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SYNTAX.code);
      String line =
          "work: poll failed (CREDENTIALS): no OAuth authorization yet; run popfetch oauth login"
              + " work; nothing else to change or restart";
      assertThat(warnings()).containsExactly(line);
      assertThat(idp.tokenRequests()).isZero();
      // A connection made and closed would still wait here to be accepted.
      listener.setSoTimeout(100);
      try {
        listener.accept().close();
        throw new AssertionError("the poll connected to the POP3 server");
      } catch (SocketTimeoutException expected) {
        // nothing came
      }
    }
  }

  @Test
  void checkNeedsTheGrantToo() throws Exception {
    Path file = config(freePort());

    Run run = popfetch("check", "--config", file.toString(), "work");

    assertThat(run.status()).isEqualTo(ExitStatus.SYNTAX.code);
    assertThat(run.out())
        .contains("work")
        .contains("failed: no OAuth authorization yet; run popfetch oauth login work");
  }

  @Test
  void aRefusedGrantInTheServiceIsOneNoticeAndNotAskedForAgainUntilANewLogin() throws Exception {
    int port = freePort();
    Path file = config(port);
    store().save("work", "RT-revoked", Instant.now());
    daemon = PopfetchDaemon.start(file, false, new PrintWriter(new StringWriter()));

    Run first = popfetch("poll", "--config", file.toString(), "work");
    Run second = popfetch("poll", "--config", file.toString(), "work");

    assertThat(first.status()).as(first.err()).isEqualTo(ExitStatus.AUTH.code);
    assertThat(second.status()).as(second.err()).isEqualTo(ExitStatus.AUTH.code);
    assertThat(idp.refreshRequests()).as("the spent token is not sent again").isEqualTo(1);
    assertThat(first.err())
        .contains(
            "work: poll failed (AUTH): oauth: the authorization server refused the refresh token"
                + " (invalid_grant: Token has been expired or revoked.); run popfetch oauth login"
                + " work");
    assertThat(second.err()).contains("run popfetch oauth login work");
    assertThat(delivered("work")).as("one notice, not one per poll").isEqualTo(1);
    String notice;
    try (Stream<Path> s = Files.list(dir.resolve("work").resolve("new"))) {
      notice = Files.readString(s.findFirst().orElseThrow());
    }
    assertThat(notice)
        .contains("run popfetch oauth login work")
        .contains("popfetch oauth login work instead");

    Run refused = popfetch("oauth", "status", "--config", file.toString(), "work");
    assertThat(refused.status()).isEqualTo(ExitStatus.NO_MAIL.code);
    assertThat(refused.out())
        .containsPattern(
            "work +generic +refused by the authorization server \\S+ \\(invalid_grant\\); run"
                + " popfetch oauth login work")
        .doesNotContain("RT-revoked");

    Run login = popfetch("oauth", "login", "--config", file.toString(), "work");
    assertThat(login.status()).as(login.err()).isZero();
    assertThat(login.out())
        .contains("ABCD-EFGH")
        .contains("Authorized")
        .contains("popfetch check work");
    String stored = store().read("work").orElseThrow().refreshToken();
    assertThat(login.out()).doesNotContain(stored);

    try (ScriptedServer pop3 = new ScriptedServer(port, null, idp.pop3(USER))) {
      Run after = popfetch("poll", "--config", file.toString(), "work");
      assertThat(after.status()).as("no restart: " + after.err()).isEqualTo(1);
      pop3.awaitScript();
    }
    assertThat(delivered("work")).as("no further notice").isEqualTo(1);

    String metrics = daemon.metrics().scrape();
    assertThat(metrics)
        .containsPattern("popfetch_oauth_token_expiry_seconds\\{account=\"work\"} [1-9]")
        .containsPattern("popfetch_oauth_last_refresh_seconds\\{account=\"work\"} [1-9]")
        .contains("popfetch_oauth_refresh_failures_total{account=\"work\"} 1.0")
        .doesNotContain(store().read("work").orElseThrow().refreshToken())
        .doesNotContain("RT-revoked");

    Run status = popfetch("oauth", "status", "--config", file.toString(), "work");
    assertThat(status.status()).isZero();
    assertThat(status.out())
        .contains("work")
        .contains("generic")
        .contains("authorized, refresh token stored")
        .doesNotContain(store().read("work").orElseThrow().refreshToken());
  }

  @Test
  void loginByTheDeviceFlowThenAPollLogsIn() throws Exception {
    int port = freePort();
    Path file = config(port);

    Run status = popfetch("oauth", "status", "--config", file.toString());
    assertThat(status.status()).isEqualTo(ExitStatus.NO_MAIL.code);
    assertThat(status.out()).contains("not authorized; run popfetch oauth login work");
    assertThat(status.out()).as("only oauth accounts").doesNotContain("home");

    Run login = popfetch("oauth", "login", "--config", file.toString(), "work");
    assertThat(login.status()).as(login.err()).isZero();
    assertThat(login.out()).contains("enter the code ABCD-EFGH");
    assertThat(Files.getPosixFilePermissions(dir.resolve("oauth")))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));

    try (ScriptedServer pop3 = new ScriptedServer(port, null, idp.pop3(USER))) {
      Run poll = popfetch("poll", "--config", file.toString(), "work");
      assertThat(poll.status()).as(poll.err()).isEqualTo(ExitStatus.NO_MAIL.code);
      pop3.awaitScript();
    }
  }

  @Test
  void loginRefusesWhatItCannotDo() throws Exception {
    Path file = config(freePort());
    String config = file.toString();

    assertThat(popfetch("oauth", "login", "--config", config).status())
        .as("no account")
        .isEqualTo(ExitStatus.USAGE.code);
    assertThat(popfetch("oauth", "login", "--config", config, "--port", "70000", "work").status())
        .isEqualTo(ExitStatus.USAGE.code);
    Run unknown = popfetch("oauth", "login", "--config", config, "nosuch");
    assertThat(unknown.status()).isEqualTo(ExitStatus.SYNTAX.code);
    assertThat(unknown.err()).isEqualTo("popfetch: no account named nosuch in " + file + "\n");
    Run password = popfetch("oauth", "login", "--config", config, "home");
    assertThat(password.status()).isEqualTo(ExitStatus.SYNTAX.code);
    assertThat(password.err()).contains("account home has no oauth block");
    assertThat(popfetch("oauth", "status", "--config", config, "home").status())
        .isEqualTo(ExitStatus.SYNTAX.code);
  }

  @Test
  void theServiceKeepsAnAccountsTokensAcrossAReloadThatLeavesItsOauthBlock() throws Exception {
    int port = freePort();
    Path file = config(port);
    store().save("work", idp.issueRefreshToken(), Instant.now());
    daemon = PopfetchDaemon.start(file, false, new PrintWriter(new StringWriter()));
    try (ScriptedServer pop3 = new ScriptedServer(port, null, idp.pop3(USER))) {
      assertThat(popfetch("poll", "--config", file.toString(), "work").status()).isEqualTo(1);
      pop3.awaitScript();
    }
    assertThat(idp.refreshRequests()).isEqualTo(1);

    Files.writeString(file, Files.readString(file).replace("user: bob", "user: bob2"));
    assertThat(daemon.reload()).isTrue();
    try (ScriptedServer pop3 = new ScriptedServer(port, null, idp.pop3(USER))) {
      assertThat(popfetch("poll", "--config", file.toString(), "work").status()).isEqualTo(1);
      pop3.awaitScript();
    }
    assertThat(idp.refreshRequests()).as("the access token outlived the reload").isEqualTo(1);

    Files.writeString(file, Files.readString(file).replace("mail offline", "mail offline x"));
    assertThat(daemon.reload()).isTrue();
    try (ScriptedServer pop3 = new ScriptedServer(port, null, idp.pop3(USER))) {
      assertThat(popfetch("poll", "--config", file.toString(), "work").status()).isEqualTo(1);
      pop3.awaitScript();
    }
    assertThat(idp.refreshRequests()).as("a changed oauth block gets new tokens").isEqualTo(2);
  }

  @Test
  void aClientSecretIsReadAtEachTokenRequestInTheServiceAndOnceForAOneShotCommand()
      throws Exception {
    Path counter = dir.resolve("runs");
    String yaml =
        Files.readString(config(freePort()))
            .replace(
                "scope: \"mail offline\" }",
                "scope: \"mail offline\", client-secret: { command: [/bin/sh, -c, \"echo run >> "
                    + counter
                    + "; echo s3cret\"] } }");
    AccountConfig a =
        ConfigLoader.parse(dir.resolve("popfetch.yaml"), yaml, false).account("work").orElseThrow();

    OAuthClient.ClientSecret atEachLogin =
        OAuthAccounts.endpoint(a, AccountRun.Secrets.AT_EACH_LOGIN).client().clientSecret();
    assertThat(Files.exists(counter)).as("nothing read before a request").isFalse();
    assertThat(atEachLogin.value()).isEqualTo("s3cret");
    assertThat(atEachLogin.value()).isEqualTo("s3cret");
    assertThat(Files.readAllLines(counter)).hasSize(2);

    OAuthClient.ClientSecret now =
        OAuthAccounts.endpoint(a, AccountRun.Secrets.NOW).client().clientSecret();
    assertThat(Files.readAllLines(counter)).hasSize(3);
    assertThat(now.value()).isEqualTo("s3cret");
    assertThat(Files.readAllLines(counter)).hasSize(3);
  }

  @Test
  void configCheckShowsTheOauthBlockAsTheReaderTakesItBack() throws Exception {
    Path file = config(freePort());
    Files.writeString(
        file, Files.readString(file).replace("{ env: HOME_PASS_UNSET }", "pw-in-a-private-file"));

    Run check = popfetch("config", "check", "--config", file.toString());

    assertThat(check.status()).as(check.err()).isZero();
    String oauthLine =
        check.out().lines().filter(l -> l.strip().startsWith("oauth:")).findFirst().orElseThrow();
    assertThat(oauthLine)
        .contains("provider: generic")
        .contains("client-id: client-1")
        .contains("flow: device");
    String again = "accounts:\n" + check.out().substring(check.out().indexOf("  - name: work"));
    assertThat(ConfigLoader.parse(file, again, false).account("work").orElseThrow().oauth())
        .isEqualTo(ConfigLoader.load(file).account("work").orElseThrow().oauth());
  }

  @Test
  void aRefusedGrantIsNotSentAgainByTheNextOneShotPoll() throws Exception {
    Path file = config(freePort());
    store().save("work", "RT-revoked", Instant.now());

    Run first = popfetch("poll", "--config", file.toString(), "work");
    Run second = popfetch("poll", "--config", file.toString(), "work");

    assertThat(first.status()).isEqualTo(ExitStatus.AUTH.code);
    assertThat(second.status()).isEqualTo(ExitStatus.AUTH.code);
    assertThat(idp.refreshRequests()).as("a timer's next poll does not send it again").isEqualTo(1);
    assertThat(warnings())
        .last()
        .isEqualTo(
            "work: poll failed (AUTH): oauth: the stored refresh token was refused before"
                + " (invalid_grant); run popfetch oauth login work; nothing else to change or"
                + " restart");
  }

  @Test
  void aFailedFlowIsOneLine() throws Exception {
    Path file = config(freePort());
    idp.close(); // nothing answers at the device endpoint

    Run login = popfetch("oauth", "login", "--config", file.toString(), "work");

    assertThat(login.status()).isEqualTo(ExitStatus.SYNTAX.code);
    assertThat(login.err().lines())
        .hasSize(1)
        .allMatch(l -> l.startsWith("popfetch: oauth login work: "));
  }
}
