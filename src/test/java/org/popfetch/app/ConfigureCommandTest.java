package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.OAuthConfig;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.TlsMode;
import org.popfetch.testing.FakeDnsServer;
import org.popfetch.testing.ScriptedServer;
import org.popfetch.testing.TestPki;
import picocli.CommandLine;

/** {@code popfetch configure} end to end, against a local DNS server and scripted POP3 servers. */
class ConfigureCommandTest {
  @TempDir Path dir;

  private record Run(int status, String out, String err) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(cli.execute(args), out.toString(), err.toString());
  }

  /** A URL nothing answers at, so no test asks the real autoconfig servers. */
  private static String deadUrl() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return "http://127.0.0.1:" + s.getLocalPort() + "/mail/config-v1.1.xml";
    }
  }

  @Test
  void srvRecordThenCapaCheckGivesABlockTheConfigReaderAccepts() throws Exception {
    TestPki pki = TestPki.create("configure");
    Path ca = pki.writeCaPem(dir.resolve("ca.pem"));
    try (FakeDnsServer dns = new FakeDnsServer();
        ScriptedServer pop =
            new ScriptedServer(
                pki.issue("localhost").serverContext(),
                c -> {
                  c.send("+OK ready");
                  c.expect("CAPA");
                  c.send("+OK", "UIDL", "TOP", "SASL PLAIN", ".");
                  c.expect("QUIT");
                  c.send("+OK bye");
                })) {
      dns.srv("_pop3s._tcp.example.test", "localhost.", pop.port(), 0, 0);
      Run run =
          popfetch(
              "configure",
              "alice@example.test",
              "--resolver",
              "127.0.0.1:" + dns.address().getPort(),
              "--autoconfig-url",
              deadUrl(),
              "--ca-file",
              ca.toString());
      assertThat(run.status()).as(run.err()).isZero();
      assertThat(run.out())
          .contains("# server: DNS SRV _pop3s._tcp.example.test (priority 0, weight 0, RFC 6186)")
          .contains("# warning: the host localhost does not match the mail domain example.test")
          .contains("# check: CAPA read over TLS; UIDL yes, TOP yes, SASL PLAIN")
          .contains("    server: localhost\n    port: " + pop.port() + "\n    tls: implicit\n")
          .contains("    user: alice@example.test\n")
          .contains("    password: { file: /etc/popfetch/alice-example-test.pass }");
      PopfetchConfig config = ConfigLoader.parse(dir.resolve("p.yaml"), run.out(), false);
      assertThat(config.accounts())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.name()).isEqualTo("alice-example-test");
              });
    }
  }

  @Test
  void aFailedCheckStillPrintsTheBlockAndSaysWhy() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer()) {
      int dead;
      try (ServerSocket s = new ServerSocket(0)) {
        dead = s.getLocalPort();
      }
      dns.srv("_pop3._tcp.example.test", "pop.example.test.", dead, 0, 0);
      Run run =
          popfetch(
              "configure",
              "alice@example.test",
              "--resolver",
              "127.0.0.1:" + dns.address().getPort(),
              "--autoconfig-url",
              deadUrl(),
              "--timeout",
              "2");
      assertThat(run.status()).isZero();
      assertThat(run.out())
          .contains("# check: FAILED, could not read the server's capabilities:")
          .contains("    tls: starttls\n");
    }
  }

  @Test
  void gmailFromTheTableGetsAnOauthBlockTheReaderTakes() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer()) {
      Run run =
          popfetch(
              "configure",
              "bob@gmail.com",
              "--resolver",
              "127.0.0.1:" + dns.address().getPort(),
              "--autoconfig-url",
              deadUrl(),
              "--no-check");
      assertThat(run.status()).isZero();
      assertThat(run.out())
          .contains("#   SRV _pop3s._tcp.gmail.com: none")
          .contains("#   autoconfig http://127.0.0.1:")
          .contains("#   built-in table: pop.gmail.com:995")
          .contains("# server: popfetch's built-in table of providers")
          .contains("    server: pop.gmail.com\n    port: 995\n    tls: implicit\n")
          .contains(
              "    oauth: { provider: google, client-id: YOUR-APP-CLIENT-ID }   # then: popfetch"
                  + " oauth login bob-gmail-com\n")
          .doesNotContain("oauth-token");
      PopfetchConfig config = ConfigLoader.parse(dir.resolve("p.yaml"), run.out(), false);
      assertThat(config.accounts())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.server()).isEqualTo("pop.gmail.com");
                assertThat(a.tls()).isEqualTo(TlsMode.IMPLICIT);
                assertThat(a.oauth().orElseThrow().provider())
                    .isEqualTo(OAuthConfig.Provider.GOOGLE);
                assertThat(a.auth()).isEqualTo(AuthMethod.XOAUTH2);
              });
    }
  }

  @Test
  void nothingFoundExits68AndSaysWhatWasAsked() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer()) {
      Run run =
          popfetch(
              "configure",
              "carol@nowhere.test",
              "--resolver",
              "127.0.0.1:" + dns.address().getPort(),
              "--autoconfig-url",
              deadUrl());
      assertThat(run.status()).isEqualTo(68);
      assertThat(run.out())
          .contains("SRV _pop3s._tcp.nowhere.test: none", "SRV _pop3._tcp.nowhere.test: none")
          .contains("built-in table: no entry for nowhere.test")
          .doesNotContain("accounts:");
      assertThat(run.err()).contains("no POP3 server found for nowhere.test");
    }
  }

  @Test
  void icloudSaysItHasNoPop3AndExits68() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer()) {
      Run run =
          popfetch(
              "configure",
              "dave@icloud.com",
              "--resolver",
              "127.0.0.1:" + dns.address().getPort(),
              "--autoconfig-url",
              deadUrl());
      assertThat(run.status()).isEqualTo(68);
      assertThat(run.out()).contains("IMAP only, no POP3");
    }
  }

  @Test
  void notAnAddressIsAUsageError() {
    List<String> outs = new ArrayList<>();
    for (String bad : List.of("alice", "alice@exa\u001bmple.test")) {
      Run run = popfetch("configure", bad, "--no-check");
      assertThat(run.status()).isEqualTo(64);
      outs.add(run.err());
    }
    assertThat(String.join("", outs)).doesNotContain("\u001b").contains("\\x1b");
  }
}
