package org.popfetch.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.popfetch.pop3.Pop3TestSupport.expectQuit;
import static org.popfetch.pop3.Pop3TestSupport.greetAndLogin;
import static org.popfetch.pop3.Pop3TestSupport.plain;

import org.junit.jupiter.api.Test;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.sasl.Credentials;
import org.popfetch.testing.ScriptedServer;

/** UIDL n and LIST n for a range of messages: what a poll after a listing mark asks. */
class Pop3ClientRangeTest {
  private static final Credentials ALICE = new Credentials.Password("alice", "secret");

  @Test
  void theUidsAndSizesOfARangeGoOutInOneWriteAndAreReadInOrder() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "UIDL", "PIPELINING");
              // Every command before any answer: a client that waited in between would stall.
              c.expect("UIDL 7");
              c.expect("UIDL 8");
              c.expect("UIDL 9");
              c.expect("LIST 8");
              c.expect("LIST 9");
              c.send("+OK 7 a", "+OK 8 b c", "+OK 9 d", "+OK 8 100", "+OK 9 200");
              c.expect("UIDL 9");
              c.send("+OK 9 d");
              expectQuit(c);
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      client.login(ALICE, AuthMethod.USER);
      Listings listed = client.uidlAndList(7, 9);
      assertThat(listed.uids())
          .containsExactly(
              new UidListing(7, "a"), new UidListing(8, "b c"), new UidListing(9, "d"));
      assertThat(listed.scan()).containsExactly(new ScanListing(8, 100), new ScanListing(9, 200));
      // Nothing new after the mark: its unique-id alone, and no LIST.
      Listings none = client.uidlAndList(9, 9);
      assertThat(none.uids()).containsExactly(new UidListing(9, "d"));
      assertThat(none.scan()).isEmpty();
      client.quit();
      server.awaitScript();
    }
  }

  @Test
  void theListingsOfARangeAskUidlAndListOfEveryMessageInIt() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "UIDL", "PIPELINING");
              c.expect("UIDL 8");
              c.expect("UIDL 9");
              c.expect("LIST 8");
              c.expect("LIST 9");
              c.send("+OK 8 b", "+OK 9 d", "+OK 8 100", "+OK 9 200");
              expectQuit(c);
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      client.login(ALICE, AuthMethod.USER);
      Listings listed = client.listingsOf(8, 9);
      assertThat(listed.uids()).containsExactly(new UidListing(8, "b"), new UidListing(9, "d"));
      assertThat(listed.scan()).containsExactly(new ScanListing(8, 100), new ScanListing(9, 200));
      // An empty range asks nothing: QUIT is the next command the server reads.
      Listings none = client.listingsOf(10, 9);
      assertThat(none.uids()).isEmpty();
      assertThat(none.scan()).isEmpty();
      client.quit();
      server.awaitScript();
    }
  }

  @Test
  void withoutPipeliningEachWaitsForItsAnswer() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "UIDL");
              c.expect("UIDL 1");
              c.send("+OK 1 a");
              c.expect("UIDL 2");
              c.send("+OK 2 b");
              c.expect("LIST 2");
              c.send("+OK 2 20");
              expectQuit(c);
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      client.login(ALICE, AuthMethod.USER);
      Listings listed = client.uidlAndList(1, 2);
      assertThat(listed.uids()).hasSize(2);
      assertThat(listed.scan()).containsExactly(new ScanListing(2, 20));
      client.quit();
      server.awaitScript();
    }
  }

  @Test
  void anErrIsThrownOnceEveryAnswerIsReadSoTheSessionGoesOn() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "UIDL", "PIPELINING");
              c.expect("UIDL 4");
              c.expect("UIDL 5");
              c.expect("LIST 5");
              c.send("-ERR no such message", "+OK 5 e", "+OK 5 50");
              c.expect("NOOP");
              c.send("+OK");
              expectQuit(c);
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      client.login(ALICE, AuthMethod.USER);
      assertThatThrownBy(() -> client.uidlAndList(4, 5))
          .isInstanceOf(Pop3ErrorException.class)
          .hasMessageContaining("UIDL 4");
      client.noop();
      client.quit();
      server.awaitScript();
    }
  }

  @Test
  void aListRefusedAfterItsUidsIsThrownTooAndTheSessionGoesOn() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "UIDL", "PIPELINING");
              c.expect("UIDL 4");
              c.expect("UIDL 5");
              c.expect("LIST 5");
              c.send("+OK 4 d", "+OK 5 e", "-ERR no LIST with an argument");
              expectQuit(c);
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      client.login(ALICE, AuthMethod.USER);
      assertThatThrownBy(() -> client.uidlAndList(4, 5))
          .isInstanceOf(Pop3ErrorException.class)
          .hasMessageContaining("LIST 5");
      client.quit();
      server.awaitScript();
    }
  }

  @Test
  void anAnswerForAnotherMessageEndsTheSessionWithoutQuit() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "UIDL", "PIPELINING");
              c.expect("UIDL 4");
              c.expect("UIDL 5");
              c.expect("LIST 5");
              c.send("+OK 4 d", "+OK 4 d", "+OK 5 50");
              c.expectClose();
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      client.login(ALICE, AuthMethod.USER);
      assertThatThrownBy(() -> client.uidlAndList(4, 5))
          .isInstanceOf(Pop3ProtocolException.class)
          .hasMessageContaining("UIDL 5");
      assertThat(client.isOpen()).isFalse();
      server.awaitScript();
    }
  }

  @Test
  void aSizeForAnotherMessageEndsTheSessionWithoutQuit() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetAndLogin(c, "USER", "UIDL", "PIPELINING");
              c.expect("UIDL 4");
              c.expect("UIDL 5");
              c.expect("LIST 5");
              c.send("+OK 4 d", "+OK 5 e", "+OK 4 40");
              c.expectClose();
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      client.login(ALICE, AuthMethod.USER);
      assertThatThrownBy(() -> client.uidlAndList(4, 5))
          .isInstanceOf(Pop3ProtocolException.class)
          .hasMessageContaining("LIST 5");
      assertThat(client.isOpen()).isFalse();
      server.awaitScript();
    }
  }
}
