package org.popfetch.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.popfetch.pop3.Pop3TestSupport.IMPATIENT;
import static org.popfetch.pop3.Pop3TestSupport.expectQuit;
import static org.popfetch.pop3.Pop3TestSupport.greet;
import static org.popfetch.pop3.Pop3TestSupport.greetAndLogin;
import static org.popfetch.pop3.Pop3TestSupport.plain;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.popfetch.net.ConnectionClosedException;
import org.popfetch.net.DotTerminatedInputStream;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.sasl.Credentials;
import org.popfetch.testing.RecordingTrace;
import org.popfetch.testing.ScriptedServer;

class Pop3ClientCommandsTest {
  private static final Credentials ALICE = new Credentials.Password("alice", "secret");

  @Test
  void everyRfc1939CommandAsATypedCall() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "UIDL", "TOP");
              c.expect("STAT");
              c.send("+OK 2 320");
              c.expect("LIST");
              c.send("+OK 2 messages", "1 120", "2 200", ".");
              c.expect("LIST 2");
              c.send("+OK 2 200");
              c.expect("UIDL");
              c.send("+OK", "1 whqtswO00WBw418f9t5JxYwZ", "2 QhdPYR:00WBw1Ph7x7", ".");
              c.expect("UIDL 1");
              c.send("+OK 1 whqtswO00WBw418f9t5JxYwZ");
              c.expect("TOP 1 0");
              c.send("+OK", "Subject: hi", "", ".");
              c.expect("RETR 1");
              c.send("+OK 120 octets", "Subject: hi", "", "..dot", ".");
              c.expect("DELE 1");
              c.send("+OK marked");
              c.expect("RSET");
              c.send("+OK");
              c.expect("NOOP");
              c.send("+OK");
              expectQuit(c);
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      assertThat(client.greeting().apopTimestamp()).contains("<1896.697170952@dbc.mtview.ca.us>");
      client.login(ALICE, AuthMethod.AUTO);
      assertThat(client.stat()).isEqualTo(new MailboxStatus(2, 320));
      assertThat(client.list()).containsExactly(new ScanListing(1, 120), new ScanListing(2, 200));
      assertThat(client.list(2)).isEqualTo(new ScanListing(2, 200));
      assertThat(client.uidl())
          .containsExactly(
              new UidListing(1, "whqtswO00WBw418f9t5JxYwZ"),
              new UidListing(2, "QhdPYR:00WBw1Ph7x7"));
      assertThat(client.uidl(1)).isEqualTo(new UidListing(1, "whqtswO00WBw418f9t5JxYwZ"));
      try (InputStream top = client.top(1, 0)) {
        assertThat(new String(top.readAllBytes(), ISO_8859_1)).isEqualTo("Subject: hi\r\n\r\n");
      }
      try (InputStream body = client.retr(1)) {
        assertThat(new String(body.readAllBytes(), ISO_8859_1))
            .isEqualTo("Subject: hi\r\n\r\n.dot\r\n");
      }
      client.dele(1);
      client.rset();
      client.noop();
      assertThat(client.quit().text()).isEqualTo("bye");
      assertThat(client.isOpen()).isFalse();
    }
  }

  @Test
  void oddButLegalUidsAreKeptExactly() throws Exception {
    List<String> uids =
        List.of(
            "!",
            "~~~~",
            "x".repeat(70),
            "<abc@def>",
            "a:b/c\\d\"e'f",
            "00000001.9f8e7d6c",
            "%2F..%2F",
            "-1");
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "UIDL");
              c.expect("UIDL");
              c.send("+OK");
              for (int i = 0; i < uids.size(); i++) {
                c.send((i + 1) + " " + uids.get(i));
              }
              c.send(".");
              expectQuit(c);
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      client.login(ALICE, AuthMethod.USER);
      List<UidListing> listing = client.uidl();
      assertThat(listing).extracting(UidListing::uid).containsExactlyElementsOf(uids);
      assertThat(listing).allMatch(UidListing::wellFormed);
      client.quit();
    }
  }

  @Test
  void illegalUidsAreReportedAsSuchNotHidden() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "UIDL");
              c.expect("UIDL");
              c.send("+OK", "1 has space", "2 " + "y".repeat(71), "3 caf\u00e9", ".");
              expectQuit(c);
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      client.login(ALICE, AuthMethod.USER);
      List<UidListing> listing = client.uidl();
      assertThat(listing)
          .extracting(UidListing::uid)
          .containsExactly("has space", "y".repeat(71), "caf\u00e9");
      assertThat(listing).noneMatch(UidListing::wellFormed);
      client.quit();
    }
  }

  @Test
  void lyingListingsAreFilteredNotTrusted() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER");
              c.expect("LIST");
              c.send("+OK", "0 10", "1 3000000000", "1 5", "3 -4", "4 12", ".");
              c.expect("STAT");
              c.send("+OK 2147483653 9000000000");
              expectQuit(c);
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      client.login(ALICE, AuthMethod.USER);
      assertThat(client.list())
          .containsExactly(new ScanListing(1, 3_000_000_000L), new ScanListing(4, 12));
      assertThat(client.stat()).isEqualTo(new MailboxStatus(2_147_483_653L, 9_000_000_000L));
      client.quit();
    }
  }

  @Test
  void inUseOnPassIsATransientConditionWithTheServersWords() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "USER", "RESP-CODES");
              c.expect("USER alice");
              c.send("+OK");
              c.expect("PASS secret");
              c.send("-ERR [IN-USE] Mailbox is locked by another POP3 session");
              c.expectClose();
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      assertThatThrownBy(() -> client.login(ALICE, AuthMethod.USER))
          .isInstanceOfSatisfying(
              Pop3ErrorException.class,
              e -> {
                assertThat(e.condition()).isEqualTo(ResponseCondition.IN_USE);
                assertThat(e.condition().isTransient()).isTrue();
                assertThat(e.getMessage())
                    .contains("127.0.0.1:" + server.port())
                    .contains("PASS ****")
                    .contains("Mailbox is locked by another POP3 session")
                    .doesNotContain("secret");
              });
      client.close();
    }
  }

  @Test
  void responseCodesMapToConditions() {
    Map<String, ResponseCondition> cases = new LinkedHashMap<>();
    cases.put("-ERR [AUTH] bad password", ResponseCondition.AUTH);
    cases.put("-ERR [LOGIN-DELAY] wait 15 minutes", ResponseCondition.LOGIN_DELAY);
    cases.put("-ERR [SYS/TEMP] try later", ResponseCondition.SYS_TEMP);
    cases.put("-ERR [SYS/TEMP/DISK] no space", ResponseCondition.SYS_TEMP);
    cases.put("-ERR [SYS/PERM] call the admin", ResponseCondition.SYS_PERM);
    cases.put("-ERR [in-use] lower case", ResponseCondition.IN_USE);
    cases.put("-ERR [XYZZY] who knows", ResponseCondition.OTHER_CODE);
    cases.put("-ERR lock busy", ResponseCondition.UNSPECIFIED);
    cases.forEach(
        (line, condition) ->
            assertThat(Pop3Reply.parse(line).orElseThrow().condition())
                .as(line)
                .isEqualTo(condition));
    assertThat(Pop3Reply.parse("-ERR [SYS/TEMP] try later").orElseThrow().text())
        .isEqualTo("try later");
    assertThat(Pop3Reply.parse("+OKAY")).isEmpty();
    assertThat(Pop3Reply.parse("220 smtp.example.org ESMTP")).isEmpty();
  }

  @Test
  void aGreetingWithSysTempIsAnErrorBeforeAnyCredential() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("-ERR [SYS/TEMP] too many connections");
              c.expectClose();
            })) {
      assertThatThrownBy(() -> Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE))
          .isInstanceOfSatisfying(
              Pop3ErrorException.class,
              e -> assertThat(e.condition()).isEqualTo(ResponseCondition.SYS_TEMP));
    }
  }

  @Test
  void aNonPop3BannerIsAProtocolError() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("220 mail.example.org ESMTP Postfix");
              c.expectClose();
            })) {
      assertThatThrownBy(() -> Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE))
          .isInstanceOf(Pop3ProtocolException.class)
          .hasMessageContaining("not a POP3 status line: 220 mail.example.org ESMTP Postfix");
    }
  }

  @Test
  void aGreetingThatNeverComesTimesOut() throws Exception {
    try (ScriptedServer server = new ScriptedServer(c -> c.stall())) {
      assertThatThrownBy(
              () ->
                  Pop3Client.connect(
                      plain(server.port()).withTimeouts(IMPATIENT), ProtocolTrace.NONE))
          .isInstanceOf(Pop3TimeoutException.class)
          .hasMessageContaining("sent nothing")
          .hasMessageContaining("greeting");
    }
  }

  @Test
  void aServerThatStallsAfterRetrTimesOutAndDeletesNothing() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER");
              c.expect("DELE 1");
              c.send("+OK");
              c.expect("RETR 2");
              c.send("+OK 100 octets", "Subject: half");
              c.stall(); // no QUIT may come: the DELE must not be committed
            })) {
      Pop3Client client =
          Pop3Client.connect(plain(server.port()).withTimeouts(IMPATIENT), ProtocolTrace.NONE);
      client.login(ALICE, AuthMethod.USER);
      client.dele(1);
      assertThatThrownBy(
              () -> client.retr(List.of(2), (n, body) -> body.transferTo(OutputStreamSinks.NULL)))
          .isInstanceOf(Pop3TimeoutException.class)
          .hasMessageContaining("RETR 2");
      assertThat(client.isOpen()).isFalse();
    }
  }

  @Test
  void aConnectionCutMidRetrIsAnErrorAndNoQuitIsSent() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER");
              c.expect("RETR 1");
              c.send("+OK 5000 octets");
              c.sendRaw("Subject: cut\r\n\r\n".concat("x".repeat(100)).getBytes(ISO_8859_1));
              c.close();
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      client.login(ALICE, AuthMethod.USER);
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      assertThatThrownBy(() -> client.retr(List.of(1), (n, body) -> body.transferTo(got)))
          .isInstanceOf(Pop3ProtocolException.class)
          .hasMessageContaining("closed the connection")
          .hasMessageContaining("RETR 1")
          .hasRootCauseInstanceOf(ConnectionClosedException.class);
      assertThat(client.isOpen()).isFalse();
      assertThatThrownBy(client::quit).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void aSingleRetrStreamCutMidwayFailsTheNextCall() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER");
              c.expect("RETR 1");
              c.send("+OK", "partial");
              c.close();
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      client.login(ALICE, AuthMethod.USER);
      DotTerminatedInputStream body = client.retr(1);
      assertThatThrownBy(body::readAllBytes).isInstanceOf(ConnectionClosedException.class);
      assertThatThrownBy(() -> client.dele(1)).isInstanceOf(Pop3ProtocolException.class);
      assertThat(client.isOpen()).isFalse();
    }
  }

  @Test
  void aHundredMegabyteStatusLineIsAnErrorNotAnOutOfMemoryError() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              byte[] chunk = "x".repeat(1 << 20).getBytes(ISO_8859_1);
              c.output().write("+OK ".getBytes(ISO_8859_1));
              try {
                for (int i = 0; i < 100; i++) {
                  c.output().write(chunk);
                }
                c.output().flush();
              } catch (IOException e) {
                // the client hung up once it had seen enough: that is the point
              }
            })) {
      assertThatThrownBy(() -> Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE))
          .isInstanceOf(Pop3ProtocolException.class)
          .hasMessageContaining("line longer than 8192 octets");
    }
  }

  @Test
  void anEndlessCapaListIsCut() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("+OK hi");
              c.expect("CAPA");
              c.send("+OK");
              try {
                for (int i = 0; i < 100_000; i++) {
                  c.output().write(("X-CAP-" + i + "\r\n").getBytes(ISO_8859_1));
                }
                c.output().flush();
              } catch (IOException e) {
                // the client hung up: expected
              }
            })) {
      assertThatThrownBy(() -> Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE))
          .isInstanceOf(Pop3ProtocolException.class)
          .hasMessageContaining("more than 1000 lines");
    }
  }

  @Test
  void capaErrMeansUnknownCapabilitiesAndUserStillWorks() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("+OK old server");
              c.expect("CAPA");
              c.send("-ERR unknown command");
              c.expect("USER alice");
              c.send("+OK");
              c.expect("PASS secret");
              c.send("+OK");
              expectQuit(c);
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      assertThat(client.capabilities().advertised()).isFalse();
      client.login(ALICE, AuthMethod.AUTO);
      client.quit();
    }
  }

  @Test
  void capabilityNamesAreCaseBlind() throws Exception {
    Capabilities caps =
        Capabilities.parse(
            List.of("pipelining", "Sasl plain Cram-MD5", "login-delay 900", "EXPIRE 0"));
    assertThat(caps.pipelining()).isTrue();
    assertThat(caps.saslMechanisms()).containsExactly("PLAIN", "CRAM-MD5");
    assertThat(caps.loginDelaySeconds()).hasValue(900);
    assertThat(caps.expire()).contains("0");
  }

  @Test
  void pipelinedRetrsGoOutBeforeTheRepliesAndAreMatchedInOrder() throws Exception {
    int count = 5;
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "PIPELINING");
              // A pipelining client has sent every RETR before it needs any reply.
              for (int i = 1; i <= count; i++) {
                c.expect("RETR " + i);
              }
              for (int i = 1; i <= count; i++) {
                c.send("+OK", "Message-Number: " + i, "", ".body " + i, ".");
              }
              for (int i = 1; i <= count; i++) {
                c.expect("DELE " + i);
              }
              for (int i = 1; i <= count; i++) {
                c.send(i == 3 ? "-ERR no such message" : "+OK");
              }
              expectQuit(c);
            })) {
      RecordingTrace trace = new RecordingTrace();
      Pop3Client client = Pop3Client.connect(plain(server.port()), trace);
      client.login(ALICE, AuthMethod.USER);
      List<String> bodies = new ArrayList<>();
      client.retr(
          List.of(1, 2, 3, 4, 5),
          (n, body) -> bodies.add(n + ":" + new String(body.readAllBytes(), ISO_8859_1)));
      assertThat(bodies)
          .containsExactly(
              "1:Message-Number: 1\r\n\r\nbody 1\r\n",
              "2:Message-Number: 2\r\n\r\nbody 2\r\n",
              "3:Message-Number: 3\r\n\r\nbody 3\r\n",
              "4:Message-Number: 4\r\n\r\nbody 4\r\n",
              "5:Message-Number: 5\r\n\r\nbody 5\r\n");
      List<Pop3Reply> deles = client.dele(List.of(1, 2, 3, 4, 5));
      assertThat(deles).extracting(Pop3Reply::ok).containsExactly(true, true, false, true, true);
      client.quit();
      List<String> events = trace.events();
      assertThat(events.indexOf("C: RETR 5")).isLessThan(events.indexOf("-- RETR 1: 29 octets"));
    }
  }

  @Test
  void withoutPipeliningEachRetrWaitsForTheLastReply() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER");
              for (int i = 1; i <= 3; i++) {
                c.expect("RETR " + i);
                c.send("+OK", "m" + i, ".");
              }
              expectQuit(c);
            })) {
      RecordingTrace trace = new RecordingTrace();
      Pop3Client client = Pop3Client.connect(plain(server.port()), trace);
      client.login(ALICE, AuthMethod.USER);
      client.retr(List.of(1, 2, 3), (n, body) -> body.readAllBytes());
      client.quit();
      List<String> events = trace.events();
      assertThat(events.indexOf("C: RETR 2")).isGreaterThan(events.indexOf("-- RETR 1: 4 octets"));
      assertThat(events.indexOf("C: RETR 3")).isGreaterThan(events.indexOf("-- RETR 2: 4 octets"));
    }
  }

  @Test
  void pipelinedRepliesSplitAtEveryByteBoundaryAreReadTheSame() throws Exception {
    byte[] replies =
        ("+OK 1\r\n"
                + "A\r\n"
                + "..dot\r\n"
                + ".\r\n"
                + "+OK 2\r\n\r\n"
                + ".\r\n"
                + "-ERR [SYS/TEMP] gone\r\n"
                + "+OK\r\n"
                + "last\r\n"
                + ".\r\n")
            .getBytes(ISO_8859_1);
    for (int at = 0; at <= replies.length; at++) {
      int split = at;
      try (ScriptedServer server =
          new ScriptedServer(
              c -> {
                greetAndLogin(c, "USER", "PIPELINING");
                for (int i = 1; i <= 4; i++) {
                  c.expect("RETR " + i);
                }
                if (split == replies.length) {
                  c.sendByteByByte(replies);
                } else {
                  c.sendSplit(replies, split);
                }
                expectQuit(c);
              })) {
        Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
        client.login(ALICE, AuthMethod.USER);
        List<String> got = new ArrayList<>();
        client.retr(
            List.of(1, 2, 3, 4),
            new MessageHandler() {
              @Override
              public void message(int number, DotTerminatedInputStream body) throws IOException {
                got.add(number + "=" + new String(body.readAllBytes(), ISO_8859_1));
              }

              @Override
              public void refused(int number, Pop3ErrorException error) {
                got.add(number + "!" + error.condition());
              }
            });
        client.quit();
        assertThat(got)
            .as("split at %d", split)
            .containsExactly("1=A\r\n.dot\r\n", "2=\r\n", "3!SYS_TEMP", "4=last\r\n");
      }
    }
  }

  @Test
  void theWindowIsToppedUpOnceHalfOfItIsAnswered() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "PIPELINING");
              for (int i = 1; i <= 4; i++) {
                c.expect("RETR " + i);
              }
              c.send("+OK", "body 1", ".", "+OK", "body 2", ".");
              // Two of four answered: two more go out, and no more until two more are answered.
              c.expect("RETR 5");
              c.expect("RETR 6");
              for (int i = 3; i <= 4; i++) {
                c.send("+OK", "body " + i, ".");
              }
              c.expect("RETR 7");
              for (int i = 5; i <= 7; i++) {
                c.send("+OK", "body " + i, ".");
              }
              expectQuit(c);
            })) {
      Pop3Client client =
          Pop3Client.connect(plain(server.port()).withPipelineWindow(4), ProtocolTrace.NONE);
      client.login(ALICE, AuthMethod.USER);
      List<String> bodies = new ArrayList<>();
      client.retr(
          List.of(1, 2, 3, 4, 5, 6, 7),
          (n, body) -> bodies.add(new String(body.readAllBytes(), ISO_8859_1)));
      assertThat(bodies)
          .containsExactly(
              "body 1\r\n",
              "body 2\r\n",
              "body 3\r\n",
              "body 4\r\n",
              "body 5\r\n",
              "body 6\r\n",
              "body 7\r\n");
      client.quit();
    }
  }

  @Test
  void aHandlerFailureStopsTheBatchButKeepsTheSessionInStep() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "PIPELINING");
              for (int i = 1; i <= 4; i++) {
                c.expect("RETR " + i);
              }
              // Half the window is not answered before the handler fails: nothing more is sent,
              // and the replies asked for are read.
              for (int i = 1; i <= 4; i++) {
                c.send("+OK", "body " + i, ".");
              }
              c.expect("DELE 1");
              c.send("+OK");
              expectQuit(c);
            })) {
      Pop3Client client =
          Pop3Client.connect(plain(server.port()).withPipelineWindow(4), ProtocolTrace.NONE);
      client.login(ALICE, AuthMethod.USER);
      List<Integer> delivered = new ArrayList<>();
      assertThatThrownBy(
              () ->
                  client.retr(
                      List.of(1, 2, 3, 4, 5, 6),
                      (n, body) -> {
                        if (n == 2) {
                          throw new IOException("No space left on device");
                        }
                        body.readAllBytes();
                        delivered.add(n);
                      }))
          .hasMessage("No space left on device");
      assertThat(delivered).containsExactly(1);
      client.dele(1);
      client.quit();
    }
  }

  @Test
  void theTraceMasksThePassword() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER");
              expectQuit(c);
            })) {
      RecordingTrace trace = new RecordingTrace();
      Pop3Client client = Pop3Client.connect(plain(server.port()), trace);
      client.login(ALICE, AuthMethod.USER);
      client.quit();
      assertThat(trace.sent()).contains("USER alice", "PASS ****");
      assertThat(trace.all()).doesNotContain("secret");
    }
  }

  @Test
  void commandsInTheWrongStateAreRefused() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "USER");
              c.expectClose();
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      assertThatThrownBy(client::stat).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> client.retr(1)).isInstanceOf(IllegalStateException.class);
      client.close();
    }
  }

  /** Sinks for bodies the test does not look at. */
  static final class OutputStreamSinks {
    static final OutputStream NULL = OutputStream.nullOutputStream();
  }
}
