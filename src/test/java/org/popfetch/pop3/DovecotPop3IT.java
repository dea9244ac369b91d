package org.popfetch.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.net.Framing;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.sasl.Credentials;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.RecordingTrace;
import org.popfetch.testing.TestPki;

/** The POP3 client against a real Dovecot: plain, STLS and implicit TLS; USER/PASS and PLAIN. */
class DovecotPop3IT {
  private static final Timeouts TIMEOUTS =
      new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30));

  @TempDir static Path dir;
  static DovecotServer dovecot;
  static TlsTrust trust;

  @BeforeAll
  static void start() throws Exception {
    TestPki pki = TestPki.create("popfetch Dovecot test CA");
    trust = TlsTrust.withCaFile(pki.writeCaPem(dir.resolve("ca.pem")));
    dovecot =
        DovecotServer.start(
            DovecotServer.users(
                "plain",
                "pw-plain",
                "stls",
                "pw-stls",
                "implicit",
                "pw-implicit",
                "abort",
                "pw-abort"),
            pki.issue("127.0.0.1", "localhost"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      System.out.println("Dovecot log:\n" + dovecot.logs()); // kept in the failsafe report
      dovecot.close();
    }
  }

  /** Messages with the lines that need dot-stuffing, a NUL and a long line, stored with LF. */
  private static Map<String, byte[]> seed(String user, int count) throws Exception {
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    for (int i = 1; i <= count; i++) {
      String text =
          "From: sender@example.org\nTo: "
              + user
              + "@example.org\nSubject: message "
              + i
              + "\nMessage-ID: <"
              + i
              + "."
              + user
              + "@popfetch.test>\n\n"
              + ".\n..\n.leading dot\nNUL here: \0 end\n"
              + "long ".repeat(2000)
              + "\nlast line\n";
      dovecot.deliver(user, text.getBytes(ISO_8859_1));
      bodies.put("message " + i, text.replace("\n", "\r\n").getBytes(ISO_8859_1));
    }
    return bodies;
  }

  private static Pop3Settings settings(TlsMode mode, int port) {
    return new Pop3Settings(
        "127.0.0.1", port, mode, trust, TIMEOUTS, mode == TlsMode.NONE, Framing.CRLF, 32);
  }

  private static List<byte[]> retrieveAll(Pop3Client client, List<Integer> numbers)
      throws Exception {
    List<byte[]> got = new ArrayList<>();
    client.retr(numbers, (n, body) -> got.add(body.readAllBytes()));
    return got;
  }

  @Test
  void plainUserPassFetchesAndDeletes() throws Exception {
    Map<String, byte[]> seeded = seed("plain", 3);
    Pop3Client client =
        Pop3Client.connect(settings(TlsMode.NONE, dovecot.pop3Port()), ProtocolTrace.NONE);
    assertThat(client.isSecure()).isFalse();
    client.login(new Credentials.Password("plain", "pw-plain"), AuthMethod.USER);
    MailboxStatus status = client.stat();
    assertThat(status.messages()).isEqualTo(3);
    List<UidListing> uids = client.uidl();
    assertThat(uids).hasSize(3).allMatch(UidListing::wellFormed);
    assertThat(client.list()).extracting(ScanListing::number).containsExactly(1, 2, 3);
    List<byte[]> bodies = retrieveAll(client, List.of(1, 2, 3));
    assertThat(bodies).containsExactlyElementsOf(seeded.values());
    assertThat(client.dele(List.of(1, 2, 3))).allMatch(Pop3Reply::ok);
    client.quit();
    assertThat(dovecot.messageCount("plain")).isZero();
  }

  @Test
  void stlsWithAuthPlainPipelinesItsRetrs() throws Exception {
    Map<String, byte[]> seeded = seed("stls", 20);
    RecordingTrace trace = new RecordingTrace();
    Pop3Client client = Pop3Client.connect(settings(TlsMode.STARTTLS, dovecot.pop3Port()), trace);
    assertThat(client.isSecure()).isTrue();
    assertThat(client.capabilities().pipelining()).isTrue();
    client.login(new Credentials.Password("stls", "pw-stls"), AuthMethod.PLAIN);
    List<Integer> all = IntStream.rangeClosed(1, 20).boxed().toList();
    assertThat(retrieveAll(client, all)).containsExactlyElementsOf(seeded.values());
    client.quit();

    List<String> events = trace.events();
    assertThat(events).contains("C: STLS", "-- TLS established", "C: AUTH PLAIN ****");
    int firstBodyDone =
        IntStream.range(0, events.size())
            .filter(i -> events.get(i).startsWith("-- RETR 1:"))
            .findFirst()
            .orElseThrow();
    // PIPELINING: the later RETRs were on the wire before the first reply had been read.
    assertThat(events.indexOf("C: RETR 20")).isBetween(0, firstBodyDone);
    assertThat(trace.all()).doesNotContain("pw-stls");
    assertThat(dovecot.messageCount("stls")).isEqualTo(20); // nothing was DELEted
  }

  @Test
  void implicitTlsWithAutoLogin() throws Exception {
    Map<String, byte[]> seeded = seed("implicit", 2);
    Pop3Client client =
        Pop3Client.connect(settings(TlsMode.IMPLICIT, dovecot.pop3sPort()), ProtocolTrace.NONE);
    assertThat(client.isSecure()).isTrue();
    client.login(new Credentials.Password("implicit", "pw-implicit"), AuthMethod.AUTO);
    assertThat(retrieveAll(client, List.of(1, 2))).containsExactlyElementsOf(seeded.values());
    client.dele(1);
    client.quit();
    assertThat(dovecot.messageCount("implicit")).isEqualTo(1);
  }

  @Test
  void deleWithoutQuitOrUndoneByRsetDeletesNothing() throws Exception {
    seed("abort", 2);
    Pop3Client aborted =
        Pop3Client.connect(settings(TlsMode.IMPLICIT, dovecot.pop3sPort()), ProtocolTrace.NONE);
    aborted.login(new Credentials.Password("abort", "pw-abort"), AuthMethod.USER);
    aborted.dele(List.of(1, 2));
    aborted.close(); // no QUIT: RFC 1939 section 6, no UPDATE state
    Pop3Client reset =
        Pop3Client.connect(settings(TlsMode.IMPLICIT, dovecot.pop3sPort()), ProtocolTrace.NONE);
    reset.login(new Credentials.Password("abort", "pw-abort"), AuthMethod.USER);
    assertThat(reset.stat().messages()).isEqualTo(2);
    reset.dele(1);
    reset.rset();
    reset.quit();
    assertThat(dovecot.messageCount("abort")).isEqualTo(2);
  }

  @Test
  void aWrongPasswordIsAnErrorInTheServersWords() throws Exception {
    Pop3Client client =
        Pop3Client.connect(settings(TlsMode.IMPLICIT, dovecot.pop3sPort()), ProtocolTrace.NONE);
    try {
      client.login(new Credentials.Password("plain", "wrong"), AuthMethod.USER);
      throw new AssertionError("login with a wrong password succeeded");
    } catch (Pop3ErrorException e) {
      assertThat(e.condition()).isEqualTo(ResponseCondition.AUTH);
      assertThat(e.getMessage()).contains("[AUTH]").doesNotContain("wrong");
    } finally {
      client.close();
    }
  }
}
