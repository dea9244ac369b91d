package org.popfetch.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.delivery.MaildirDestination;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.AccountPoll;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.FetchObserver;
import org.popfetch.fetch.FetchPolicy;
import org.popfetch.fetch.PollFailure;
import org.popfetch.fetch.PollResult;
import org.popfetch.fetch.Pop3Account;
import org.popfetch.net.Framing;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.pop3.TlsMode;
import org.popfetch.sasl.Credentials;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.testing.ScriptedServer;
import org.popfetch.testing.ScriptedServer.Conversation;

/**
 * A whole poll through a delivery agent: the server is told DELE only after the agent said
 * "durable"; an agent that dies before saying it leaves every message on the server.
 */
class AgentPollTest {
  @TempDir Path dir;
  SqliteSeenUidStore store;
  ServerSocketChannel listener;
  CompletableFuture<Void> serving;

  @BeforeEach
  void open() throws IOException {
    store = SqliteSeenUidStore.open("jdbc:sqlite:" + dir.resolve("state.db"));
    listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    listener.bind(UnixDomainSocketAddress.of(dir.resolve("alice.sock")));
  }

  @AfterEach
  void close() throws Exception {
    store.close();
    listener.close();
    if (serving != null) {
      serving.get(10, TimeUnit.SECONDS);
    }
  }

  private PollResult poll(ScriptedServer server) throws Exception {
    Pop3Settings settings =
        new Pop3Settings(
            "127.0.0.1",
            server.port(),
            TlsMode.NONE,
            TlsTrust.SYSTEM,
            new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5)),
            true,
            Framing.CRLF,
            32);
    Pop3Account account =
        new Pop3Account(
            "test", settings, new Credentials.Password("u", "p"), AuthMethod.USER, "u@test");
    Destination agent =
        AgentDestination.maildir(
            new UnixSocketConnector(dir, "alice"),
            "alice",
            dir.resolve("Maildir"),
            "",
            dir.resolve("spool"));
    return new AccountPoll(
            account,
            FetchPolicy.deleteMode(),
            store,
            agent,
            new MaildirDestination(dir.resolve("quarantine"), "h"),
            "h",
            Clock.systemUTC(),
            FetchObserver.NONE,
            ProtocolTrace.NONE)
        .run();
  }

  private static void login(Conversation c) throws IOException {
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
    c.send("+OK", "1 30", "2 30", ".");
    c.expect("UIDL");
    c.send("+OK", "1 uid-1", "2 uid-2", ".");
    c.expect("RETR 1");
    c.expect("RETR 2");
    c.send("+OK", "Subject: message 1", "", "body 1", ".");
    c.send("+OK", "Subject: message 2", "", "body 2", ".");
  }

  private long inNew() throws IOException {
    Path n = dir.resolve("Maildir").resolve("new");
    if (!Files.isDirectory(n)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(n)) {
      return s.count();
    }
  }

  @Test
  void theServerDeletesOnlyWhatTheAgentSaidIsDurable() throws Exception {
    AgentServer agent =
        AgentServer.forMailboxes(dir.resolve("agent-spool"), "h", Duration.ofMinutes(5));
    serving =
        CompletableFuture.runAsync(
            () -> {
              try {
                agent.serve(listener);
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              login(c);
              c.expect("DELE 1");
              c.expect("DELE 2");
              c.send("+OK", "+OK");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult result = poll(server);
      server.awaitScript();
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(2);
      assertThat(result.deleted()).isEqualTo(2);
    }
    assertThat(inNew()).isEqualTo(2);
  }

  @Test
  void anAgentKilledBeforeItsDurableAnswerLeavesEveryMessageOnTheServer() throws Exception {
    // An agent that stages for real (its Maildir's tmp/), then dies at the commit, as a kill
    // -9 between the client's COMMIT and its answer would.
    serving =
        CompletableFuture.runAsync(
            () -> {
              try (SocketChannel c = listener.accept()) {
                DataInputStream in = new DataInputStream(Channels.newInputStream(c));
                DataOutputStream out = new DataOutputStream(Channels.newOutputStream(c));
                int id = 0;
                while (true) {
                  int type = in.read();
                  long length = in.readLong();
                  in.skipNBytes(length);
                  if (type == 'C') {
                    return; // killed: no answer, the connection drops
                  }
                  out.writeByte(type == 'D' ? 'K' : 'S');
                  if (type == 'D') {
                    out.writeLong(0);
                  } else {
                    out.writeLong(12);
                    out.writeInt(++id);
                    out.writeLong(length);
                  }
                  out.flush();
                }
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              login(c);
              c.expect("QUIT"); // no DELE came first
              c.send("+OK");
            })) {
      PollResult result = poll(server);
      server.awaitScript();
      assertThat(result.failure()).map(PollFailure::kind).contains(PollFailure.Kind.DELIVERY);
      assertThat(result.failure().get().message()).contains("delivery agent for alice");
      assertThat(result.fetched()).isZero();
      assertThat(result.deleted()).isZero();
      // Nothing recorded as delivered: the next poll fetches both again.
      assertThat(store.load(AccountKey.of("127.0.0.1", server.port(), "u"))).isEmpty();
    }
    assertThat(inNew()).isZero();
  }
}
