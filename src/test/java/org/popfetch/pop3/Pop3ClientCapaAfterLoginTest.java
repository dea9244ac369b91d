package org.popfetch.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.popfetch.pop3.Pop3TestSupport.expectQuit;
import static org.popfetch.pop3.Pop3TestSupport.greet;
import static org.popfetch.pop3.Pop3TestSupport.plain;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.sasl.Credentials;
import org.popfetch.testing.ScriptedServer;
import org.popfetch.testing.ScriptedServer.Conversation;

/**
 * The CAPA after login (RFC 2449 section 5) and the whole listings. To a server that offered
 * PIPELINING, the CAPA goes out with the first command after login and LIST with UIDL: the scripts
 * below read every command of such a write before answering any, so a client that waited for an
 * answer in between would stall them and fail.
 */
class Pop3ClientCapaAfterLoginTest {
  private static final Credentials ALICE = new Credentials.Password("alice", "secret");

  /**
   * Greeting, CAPA with {@code capabilities}, USER/PASS accepted; the CAPA after it is the test's.
   */
  private static void login(Conversation c, String... capabilities) throws IOException {
    greet(c, capabilities);
    c.expect("USER alice");
    c.send("+OK");
    c.expect("PASS secret");
    c.send("+OK logged in");
  }

  /** The CAPA after login, LIST and UIDL, all read before the script answers any of them. */
  private static void expectCapaWithTheListings(Conversation c) throws IOException {
    c.expect("CAPA");
    c.expect("LIST");
    c.expect("UIDL");
  }

  private static Pop3Client loggedIn(ScriptedServer server) throws Pop3Exception {
    Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
    client.login(ALICE, AuthMethod.USER);
    return client;
  }

  @Test
  void theCapaAfterLoginGoesOutWithListAndUidlInOneWrite() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              login(c, "USER", "UIDL", "PIPELINING");
              expectCapaWithTheListings(c);
              c.send("+OK", "USER", "UIDL", "PIPELINING", "LOGIN-DELAY 60", ".");
              c.send("+OK 2 messages", "1 120", "2 200", ".");
              c.send("+OK", "1 first-id", "2 second-id", ".");
              expectQuit(c);
            })) {
      Pop3Client client = loggedIn(server);
      assertThat(client.capabilitiesAfterLogin()).isEmpty();
      Listings listings = client.listings();
      assertThat(listings.scan()).containsExactly(new ScanListing(1, 120), new ScanListing(2, 200));
      assertThat(listings.uids())
          .containsExactly(new UidListing(1, "first-id"), new UidListing(2, "second-id"));
      assertThat(listings.uidlRefused()).isEmpty();
      // What the server said after login, not before it.
      assertThat(client.capabilitiesAfterLogin())
          .hasValueSatisfying(caps -> assertThat(caps.loginDelaySeconds()).hasValue(60));
      assertThat(client.capabilities().loginDelaySeconds()).hasValue(60);
      client.quit();
      server.awaitScript();
    }
  }

  @Test
  void theCapaAfterLoginGoesOutWithStatToo() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              login(c, "USER", "PIPELINING");
              c.expect("CAPA");
              c.expect("STAT");
              c.send("+OK", "USER", "PIPELINING", "EXPIRE 0", ".");
              c.send("+OK 3 900");
              expectQuit(c);
            })) {
      Pop3Client client = loggedIn(server);
      assertThat(client.stat()).isEqualTo(new MailboxStatus(3, 900));
      assertThat(client.capabilities().expire()).contains("0");
      client.quit();
      server.awaitScript();
    }
  }

  @Test
  void capabilitiesAskedForRightAfterLoginSendTheCapaAlone() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              login(c, "USER", "PIPELINING");
              c.expect("CAPA");
              c.send("+OK", "USER", "PIPELINING", "TOP", ".");
              c.expect("STAT");
              c.send("+OK 0 0");
              expectQuit(c);
            })) {
      Pop3Client client = loggedIn(server);
      assertThat(client.capabilities().has("TOP")).isTrue();
      assertThat(client.capabilitiesAfterLogin()).isPresent();
      assertThat(client.stat()).isEqualTo(new MailboxStatus(0, 0));
      client.quit();
      server.awaitScript();
    }
  }

  @Test
  void withoutPipeliningTheCapaAfterLoginIsAnsweredBeforeListAndUidlGoOneByOne() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              login(c, "USER", "UIDL");
              c.expect("CAPA");
              c.send("+OK", "USER", "UIDL", "LOGIN-DELAY 120", ".");
              c.expect("LIST");
              c.send("+OK", "1 10", ".");
              c.expect("UIDL");
              c.send("+OK", "1 only-id", ".");
              expectQuit(c);
            })) {
      Pop3Client client = loggedIn(server);
      assertThat(client.capabilitiesAfterLogin())
          .hasValueSatisfying(caps -> assertThat(caps.loginDelaySeconds()).hasValue(120));
      Listings listings = client.listings();
      assertThat(listings.scan()).containsExactly(new ScanListing(1, 10));
      assertThat(listings.uids()).containsExactly(new UidListing(1, "only-id"));
      client.quit();
      server.awaitScript();
    }
  }

  @Test
  void aListRefusedWithItsUidlInFlightIsThrownOnceBothAreReadAndTheSessionGoesOn()
      throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              login(c, "USER", "UIDL", "PIPELINING");
              expectCapaWithTheListings(c);
              c.send("+OK", "USER", "UIDL", "PIPELINING", ".");
              c.send("-ERR [SYS/TEMP] listing unavailable");
              c.send("+OK", "1 first-id", ".");
              expectQuit(c);
            })) {
      Pop3Client client = loggedIn(server);
      assertThatThrownBy(client::listings)
          .isInstanceOf(Pop3ErrorException.class)
          .hasMessageContaining("LIST")
          .hasMessageContaining("listing unavailable");
      // In step: the UIDL listing was read, so QUIT's answer is QUIT's.
      assertThat(client.quit().text()).isEqualTo("bye");
      server.awaitScript();
    }
  }

  @Test
  void aUidlRefusedInTheSameWriteIsHandedBackAndTheSessionGoesOn() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              login(c, "USER", "PIPELINING");
              expectCapaWithTheListings(c);
              c.send("+OK", "USER", "PIPELINING", ".");
              c.send("+OK", "1 10", "2 20", ".");
              c.send("-ERR no UIDL here");
              expectQuit(c);
            })) {
      Pop3Client client = loggedIn(server);
      Listings listings = client.listings();
      assertThat(listings.scan()).containsExactly(new ScanListing(1, 10), new ScanListing(2, 20));
      assertThat(listings.uids()).isEmpty();
      assertThat(listings.uidlRefused())
          .hasValueSatisfying(r -> assertThat(r.text()).isEqualTo("no UIDL here"));
      assertThat(client.quit().text()).isEqualTo("bye");
      server.awaitScript();
    }
  }

  @Test
  void aCapaRefusedAfterLoginLeavesNothingKnownAndTheListingsAreStillRead() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              login(c, "USER", "PIPELINING");
              expectCapaWithTheListings(c);
              c.send("-ERR not now");
              c.send("+OK", "1 10", ".");
              c.send("+OK", "1 only-id", ".");
              expectQuit(c);
            })) {
      Pop3Client client = loggedIn(server);
      Listings listings = client.listings();
      assertThat(listings.uids()).containsExactly(new UidListing(1, "only-id"));
      assertThat(client.capabilities().advertised()).isFalse();
      client.quit();
      server.awaitScript();
    }
  }

  @Test
  void anEndlessCapaAfterLoginEndsTheSessionWithoutQuitBeforeTheListingsAreRead() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              login(c, "USER", "UIDL", "PIPELINING");
              expectCapaWithTheListings(c);
              c.send("+OK");
              for (int i = 0; i <= Pop3Client.MAX_CAPA_LINES; i++) {
                c.send("X-CAPABILITY-" + i);
              }
              c.expectClose();
            })) {
      Pop3Client client = loggedIn(server);
      assertThatThrownBy(client::listings)
          .isInstanceOf(Pop3ProtocolException.class)
          .hasMessageContaining("CAPA")
          .hasMessageContaining("nothing was fetched or deleted");
      assertThat(client.isOpen()).isFalse();
      assertThat(client.capabilitiesAfterLogin()).isEmpty();
      server.awaitScript();
    }
  }

  @Test
  void aSessionClosedBeforeItsFirstCommandSentNoCapaAndHasNoCapabilitiesAfterLogin()
      throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              login(c, "USER", "PIPELINING");
              // Nothing more: the CAPA was to go with a command that never came.
              c.expectClose();
            })) {
      Pop3Client client = loggedIn(server);
      client.close();
      assertThat(client.capabilitiesAfterLogin()).isEmpty();
      server.awaitScript();
    }
  }
}
