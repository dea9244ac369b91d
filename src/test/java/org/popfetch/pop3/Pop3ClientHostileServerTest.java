package org.popfetch.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.popfetch.pop3.Pop3TestSupport.IMPATIENT;
import static org.popfetch.pop3.Pop3TestSupport.expectQuit;
import static org.popfetch.pop3.Pop3TestSupport.greetAndLogin;
import static org.popfetch.pop3.Pop3TestSupport.plain;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.popfetch.net.Framing;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.sasl.Credentials;
import org.popfetch.testing.ScriptedServer;

/** Servers that break the protocol: the session ends with a clear error and deletes nothing. */
class Pop3ClientHostileServerTest {
  private static final Credentials ALICE = new Credentials.Password("alice", "secret");

  private static Pop3Client loggedIn(ScriptedServer server, Pop3Settings settings)
      throws Exception {
    Pop3Client client = Pop3Client.connect(settings, ProtocolTrace.NONE);
    client.login(ALICE, AuthMethod.USER);
    return client;
  }

  @Test
  void anUnstuffedDotMidMessageIsCaughtAsDesyncBeforeAnyDeletion() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "PIPELINING");
              c.expect("RETR 1");
              // A broken server forgets to stuff a lone "." line: the response seems to end early.
              c.send("+OK", "Subject: broken", "", "before", ".", "after", ".");
              c.expectClose(); // no DELE, no QUIT
            })) {
      Pop3Client client = loggedIn(server, plain(server.port()));
      List<String> bodies = new ArrayList<>();
      // The rest of the body is still there after the seeming end of the last reply.
      assertThatThrownBy(
              () ->
                  client.retr(
                      List.of(1),
                      (n, body) -> bodies.add(new String(body.readAllBytes(), ISO_8859_1))))
          .isInstanceOfSatisfying(
              Pop3DesyncException.class, e -> assertThat(e.firstUnsafe()).isEqualTo(1))
          .hasMessageContaining("octets after the last reply of the batch");
      assertThat(client.isOpen()).isFalse();
    }
  }

  @Test
  void aCutBodyFollowedByAForgedReplyIsCaughtBySize() throws Exception {
    String filler = "x".repeat(5000);
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "PIPELINING");
              c.expect("RETR 1");
              c.expect("RETR 2");
              c.send(
                  "+OK 5030 octets",
                  "Subject: one",
                  "",
                  "a",
                  ".",
                  "+OK 12 octets",
                  "forged",
                  filler,
                  ".");
              c.send("+OK 40 octets", "Subject: two", "", "b", ".");
              c.expectClose();
            })) {
      Pop3Client client = loggedIn(server, plain(server.port()));
      List<Integer> handed = new ArrayList<>();
      assertThatThrownBy(
              () ->
                  client.retr(
                      List.of(new ScanListing(1, 5030), new ScanListing(2, 40)),
                      Long.MAX_VALUE,
                      (n, body) -> {
                        handed.add(n);
                        body.readAllBytes();
                      }))
          .isInstanceOfSatisfying(
              Pop3DesyncException.class, e -> assertThat(e.firstUnsafe()).isEqualTo(1))
          .hasMessageContaining(
              "message 1 came as 19 octets but LIST said 5030 and RETR said 5030");
      assertThat(handed).containsExactly(1);
      assertThat(client.isOpen()).isFalse();
    }
  }

  @Test
  void anOkWhoseOctetsDoNotFitTheListingMakesThePreviousMessageSuspect() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "PIPELINING");
              c.expect("RETR 1");
              c.expect("RETR 2");
              c.send("+OK 30 octets", "Subject: one", "", "a", ".", "+OK 9 octets", "forged", ".");
              c.send("+OK 9000 octets", "Subject: two", "", "b".repeat(8980), ".");
              c.expectClose();
            })) {
      Pop3Client client = loggedIn(server, plain(server.port()));
      assertThatThrownBy(
              () ->
                  client.retr(
                      List.of(new ScanListing(1, 30), new ScanListing(2, 9000)),
                      Long.MAX_VALUE,
                      (n, body) -> body.readAllBytes()))
          .isInstanceOfSatisfying(
              Pop3DesyncException.class, e -> assertThat(e.firstUnsafe()).isEqualTo(1))
          .hasMessageContaining("answered RETR 2 with 9 octets but LIST said 9000");
    }
  }

  @Test
  void sizesOffByTheUsualServerQuirksPass() throws Exception {
    // LF-counted LIST sizes (a body of empty lines is twice as long in CRLF), a few hidden
    // mbox headers, an "+OK" that disagrees a little with LIST: all within the tolerance.
    String emptyLines = "\r\n".repeat(2000);
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "PIPELINING");
              c.expect("RETR 1");
              c.expect("RETR 2");
              c.expect("RETR 3");
              c.sendRaw(
                  ("+OK 2013 octets\r\nSubject: lf\r\n" + emptyLines + ".\r\n")
                      .getBytes(ISO_8859_1));
              c.send("+OK 240 octets", "Subject: mbox", "", "short", ".");
              c.send("+OK 5100 octets", "Subject: estimate", "", "e".repeat(4000), ".");
              expectQuit(c);
            })) {
      Pop3Client client = loggedIn(server, plain(server.port()));
      List<Integer> handed = new ArrayList<>();
      client.retr(
          List.of(new ScanListing(1, 2013), new ScanListing(2, 260), new ScanListing(3, 4900)),
          Long.MAX_VALUE,
          (n, body) -> {
            handed.add(n);
            body.readAllBytes();
          });
      assertThat(handed).containsExactly(1, 2, 3);
      client.quit();
    }
  }

  @Test
  void aBodyPastTheCapIsNotHandedOutAndTheSessionIsDropped() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER");
              c.expect("RETR 1");
              try {
                c.send("+OK 81 octets", "Subject: endless", "");
                for (int i = 0; i < 100_000; i++) {
                  c.send("z".repeat(100));
                }
              } catch (IOException e) {
                // the client hung up: expected
              }
            })) {
      Pop3Client client = loggedIn(server, plain(server.port()));
      long[] got = {0};
      assertThatThrownBy(
              () ->
                  client.retr(
                      List.of(new ScanListing(1, 81)),
                      1024,
                      (n, body) -> {
                        byte[] buf = new byte[100];
                        int r;
                        while ((r = body.read(buf, 0, buf.length)) > 0) {
                          got[0] += r;
                        }
                      }))
          .isInstanceOfSatisfying(
              Pop3MessageTooLargeException.class,
              e -> {
                assertThat(e.number()).isEqualTo(1);
                assertThat(e.limit()).isEqualTo(1024);
              })
          .hasMessageContaining("longer than 1024 octets (LIST said 81)");
      assertThat(got[0]).isLessThanOrEqualTo(1024);
      assertThat(client.isOpen()).isFalse();
    }
  }

  @Test
  void anLfOnlyServerWorksWithTolerantFraming() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.sendRaw("+OK hi\n".getBytes(ISO_8859_1));
              c.expect("CAPA");
              c.sendRaw("+OK\nUSER\n.\n".getBytes(ISO_8859_1));
              c.expect("USER alice");
              c.sendRaw("+OK\n".getBytes(ISO_8859_1));
              c.expect("PASS secret");
              c.sendRaw("+OK\n".getBytes(ISO_8859_1));
              c.expect("CAPA");
              c.sendRaw("+OK\nUSER\n.\n".getBytes(ISO_8859_1));
              c.expect("RETR 1");
              c.sendRaw("+OK\nSubject: lf\n\n..dot\n.\n".getBytes(ISO_8859_1));
              expectQuit(c);
            })) {
      Pop3Client client = loggedIn(server, plain(server.port()).withFraming(Framing.LF_TOLERANT));
      List<String> bodies = new ArrayList<>();
      client.retr(List.of(1), (n, body) -> bodies.add(new String(body.readAllBytes(), ISO_8859_1)));
      assertThat(bodies).containsExactly("Subject: lf\n\n.dot\n");
      client.quit();
    }
  }

  @Test
  void aServerThatStallsAfterQuitTimesOut() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER");
              c.expect("QUIT");
              c.stall();
            })) {
      Pop3Client client = loggedIn(server, plain(server.port()).withTimeouts(IMPATIENT));
      assertThatThrownBy(client::quit)
          .isInstanceOf(Pop3TimeoutException.class)
          .hasMessageContaining("QUIT");
      assertThat(client.isOpen()).isFalse();
    }
  }

  @Test
  void quitAnsweredWithErrIsReportedNotSwallowed() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER");
              c.expect("DELE 1");
              c.send("+OK");
              c.expect("QUIT");
              c.send("-ERR some deleted messages not removed");
            })) {
      Pop3Client client = loggedIn(server, plain(server.port()));
      client.dele(1);
      assertThatThrownBy(client::quit)
          .isInstanceOf(Pop3ErrorException.class)
          .hasMessageContaining("QUIT: -ERR some deleted messages not removed");
      assertThat(client.isOpen()).isFalse();
    }
  }

  @Test
  void aTrickleJustInsideTheReadTimeoutIsCutByTheMinimumRate() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER");
              c.expect("RETR 1");
              c.send("+OK");
              OutputStream out = c.output();
              try {
                for (int i = 0; i < 10_000; i++) {
                  out.write('x');
                  out.flush();
                  Thread.sleep(50); // the server's slowness under test, not test timing
                }
              } catch (IOException e) {
                // the client gave up: expected
              }
            })) {
      Timeouts trickle = new Timeouts(Duration.ofSeconds(5), Duration.ofMillis(600), 1000);
      Pop3Client client = loggedIn(server, plain(server.port()).withTimeouts(trickle));
      assertThatThrownBy(() -> client.retr(List.of(1), (n, body) -> body.readAllBytes()))
          .isInstanceOf(Pop3TimeoutException.class)
          .hasMessageContaining("below the minimum of 1000 octets/s");
      assertThat(client.isOpen()).isFalse();
    }
  }

  @Test
  void duplicateAndHostileUidsReachTheCallerUnchanged() throws Exception {
    String huge = "u".repeat(10_000);
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "UIDL");
              c.expect("UIDL");
              c.send(
                  "+OK",
                  "1 AAA",
                  "2 AAA",
                  "3 tab\there",
                  "4 " + huge,
                  "5 ",
                  "6 ctrl\u0001\u007f",
                  ".");
              expectQuit(c);
            })) {
      Pop3Client client = loggedIn(server, plain(server.port()));
      List<UidListing> uids = client.uidl();
      assertThat(uids)
          .extracting(UidListing::uid)
          .containsExactly("AAA", "AAA", "tab\there", huge, "", "ctrl\u0001\u007f");
      assertThat(uids)
          .extracting(UidListing::wellFormed)
          .containsExactly(true, true, false, false, false, false);
      client.quit();
    }
  }

  @Test
  void aConnectionCutMidUidlIsAnError() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "UIDL");
              c.expect("UIDL");
              c.send("+OK", "1 AAA");
              c.sendRaw("2 BB".getBytes(ISO_8859_1));
              c.close();
            })) {
      Pop3Client client = loggedIn(server, plain(server.port()));
      assertThatThrownBy(client::uidl)
          .isInstanceOf(Pop3ProtocolException.class)
          .hasMessageContaining("closed the connection (UIDL)");
      assertThat(client.isOpen()).isFalse();
    }
  }

  @Test
  void aMultiLineAnswerThatNeverEndsTimesOut() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER");
              c.expect("LIST");
              c.send("+OK", "1 100");
              c.stall();
            })) {
      Pop3Client client = loggedIn(server, plain(server.port()).withTimeouts(IMPATIENT));
      assertThatThrownBy(client::list)
          .isInstanceOf(Pop3TimeoutException.class)
          .hasMessageContaining("LIST");
    }
  }

  @Test
  void aTenMegabyteBodyLineWithNulsPassesThroughTheClientUnharmed() throws Exception {
    byte[] line = "n\0".repeat(5 * 1024 * 1024).getBytes(ISO_8859_1);
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER");
              c.expect("RETR 1");
              c.send("+OK");
              c.output().write("Subject: big\r\n\r\n".getBytes(ISO_8859_1));
              c.output().write(line);
              c.send("", ".");
              expectQuit(c);
            })) {
      Pop3Client client = loggedIn(server, plain(server.port()));
      MessageDigest expected = MessageDigest.getInstance("SHA-256");
      expected.update("Subject: big\r\n\r\n".getBytes(ISO_8859_1));
      expected.update(line);
      expected.update("\r\n".getBytes(ISO_8859_1));
      MessageDigest actual = MessageDigest.getInstance("SHA-256");
      client.retr(
          List.of(1),
          (n, body) -> {
            byte[] buf = new byte[8192];
            int r;
            while ((r = body.read(buf, 0, buf.length)) > 0) {
              actual.update(buf, 0, r);
            }
          });
      assertThat(actual.digest()).isEqualTo(expected.digest());
      client.quit();
    }
  }
}
