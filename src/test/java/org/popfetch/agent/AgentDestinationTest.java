package org.popfetch.agent;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.fetch.Outcome;
import org.popfetch.message.Envelope;
import org.popfetch.message.TraceHeaders;

/**
 * The client's promise over the agent's stream: {@code commit} returns only on the agent's
 * "durable"; a refusal keeps its kind; anything else that ends the exchange is a deferral.
 */
class AgentDestinationTest {
  static final TraceHeaders TRACE =
      TraceHeaders.forFetch(
          "pop.example.org",
          true,
          "mx.example.net",
          "acct",
          "me@example.org",
          Instant.parse("2026-11-30T10:00:00Z"));
  static final Incoming MESSAGE =
      new Incoming("acct", new Envelope("alice@example.org", "me@example.org"), TRACE);

  @TempDir Path dir;
  ServerSocketChannel listener;
  CompletableFuture<Void> serving;

  @AfterEach
  void stop() throws Exception {
    if (listener != null) {
      listener.close();
      serving.get(10, TimeUnit.SECONDS);
    }
  }

  /** A real agent (as this user) on a socket in the test's directory. */
  private UnixSocketConnector agent() throws IOException {
    listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    listener.bind(UnixDomainSocketAddress.of(dir.resolve("alice.sock")));
    AgentServer server =
        AgentServer.forMailboxes(dir.resolve("agent-spool"), "h", Duration.ofMinutes(5));
    ServerSocketChannel l = listener;
    serving =
        CompletableFuture.runAsync(
            () -> {
              try {
                server.serve(l);
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    return new UnixSocketConnector(dir, "alice");
  }

  private Destination maildir(AgentConnector connector, Path maildir) {
    return AgentDestination.maildir(connector, "alice", maildir, "", dir.resolve("spool"));
  }

  private static InputStream wire(String text) {
    return new ByteArrayInputStream(text.getBytes(ISO_8859_1));
  }

  private static List<Path> files(Path d) throws IOException {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.toList();
    }
  }

  @Test
  void aBatchIsInTheMaildirOnlyOnceTheAgentCommittedIt() throws Exception {
    Path maildir = dir.resolve("Maildir");
    Destination d = maildir(agent(), maildir);
    Destination.Staged one = d.stage(MESSAGE, wire("Subject: one\r\n\r\nbody 1\r\n"));
    Destination.Staged two = d.stage(MESSAGE, wire("Subject: two\r\n\r\n\r\r\nbody 2\r\n"));
    assertThat(files(maildir.resolve("new"))).isEmpty();
    assertThat(files(maildir.resolve("tmp"))).hasSize(2);
    d.commit(List.of(one, two));
    List<Path> delivered = files(maildir.resolve("new"));
    assertThat(delivered).hasSize(2);
    assertThat(files(maildir.resolve("tmp"))).isEmpty();
    String all =
        Files.readString(delivered.get(0), ISO_8859_1)
            + Files.readString(delivered.get(1), ISO_8859_1);
    assertThat(all).contains("Received: from pop.example.org").contains("body 1\n");
    // The message goes over as it came off the wire: the Maildir's one CRLF-to-LF pass, no other.
    assertThat(all).contains("\n\r\nbody 2\n");
    assertThat(one.size() + two.size())
        .isEqualTo(Files.size(delivered.get(0)) + Files.size(delivered.get(1)));
    assertThat(files(dir.resolve("spool"))).isEmpty();
  }

  @Test
  void anMboxGetsTheBatchWithItsFromLines() throws Exception {
    Path mbox = dir.resolve("mail").resolve("alice");
    Files.createDirectories(mbox.getParent());
    Destination d = AgentDestination.mbox(agent(), "alice", mbox, dir.resolve("spool"));
    Destination.Staged s = d.stage(MESSAGE, wire("Subject: one\r\n\r\nFrom here\r\n"));
    assertThat(mbox).doesNotExist();
    d.commit(List.of(s));
    assertThat(Files.readString(mbox, ISO_8859_1))
        .startsWith("From alice@example.org ")
        .contains("\n>From here\n");
  }

  @Test
  void aDiscardedMessageIsNowhere() throws Exception {
    Path maildir = dir.resolve("Maildir");
    Destination d = maildir(agent(), maildir);
    Destination.Staged one = d.stage(MESSAGE, wire("Subject: one\r\n\r\nbody\r\n"));
    Destination.Staged two = d.stage(MESSAGE, wire("Subject: two\r\n\r\nbody\r\n"));
    d.discard(List.of(two));
    d.commit(List.of(one));
    assertThat(files(maildir.resolve("new"))).hasSize(1);
    assertThat(files(maildir.resolve("tmp"))).isEmpty();
  }

  @Test
  void noSocketIsADeferralThatSaysWhichUnitToEnable() {
    Destination d = maildir(new UnixSocketConnector(dir, "alice"), dir.resolve("Maildir"));
    assertThatThrownBy(() -> d.stage(MESSAGE, wire("Subject: x\r\n\r\nx\r\n")))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> assertThat(e.refusal()).isInstanceOf(Outcome.Deferred.class))
        .hasMessageContaining("no delivery agent for alice")
        .hasMessageContaining("systemctl enable --now popfetch-deliver@alice.socket");
  }

  @Test
  void theAgentsPermanentRefusalIsARejectionWithNothingRescued() throws Exception {
    Destination d =
        AgentDestination.mbox(agent(), "alice", dir.resolve(".profile"), dir.resolve("spool"));
    assertThatThrownBy(() -> d.stage(MESSAGE, wire("Subject: x\r\n\r\necho owned\r\n")))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e ->
                assertThat(e.refusal())
                    .isEqualTo(new Outcome.Rejected(e.getMessage(), Optional.empty())))
        .hasMessageContaining("delivery agent for alice: refusing mbox")
        .hasMessageContaining("hidden");
    assertThat(dir.resolve(".profile")).doesNotExist();
  }

  @Test
  void anMboxThatIsNotOneIsNotAppendedTo() throws Exception {
    Path notes = dir.resolve("notes");
    Files.writeString(notes, "echo hello\n");
    Destination d = AgentDestination.mbox(agent(), "alice", notes, dir.resolve("spool"));
    assertThatThrownBy(() -> d.stage(MESSAGE, wire("Subject: x\r\n\r\nx\r\n")))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> assertThat(e.refusal()).isInstanceOf(Outcome.Rejected.class))
        .hasMessageContaining("does not start with \"From \"");
    assertThat(Files.readString(notes)).isEqualTo("echo hello\n");
  }

  @Test
  void theAgentsTemporaryFailureIsADeferral() throws Exception {
    Path maildir = dir.resolve("Maildir");
    Files.createDirectories(maildir.resolve("new"));
    Files.createDirectories(maildir.resolve("cur"));
    Files.writeString(maildir.resolve("tmp"), "in the way");
    Destination d = maildir(agent(), maildir);
    assertThatThrownBy(() -> d.stage(MESSAGE, wire("Subject: x\r\n\r\nx\r\n")))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> assertThat(e.refusal()).isInstanceOf(Outcome.Deferred.class))
        .hasMessageContaining("delivery agent for alice:");
  }

  /** A fake agent that answers each frame as {@code script} says, reading frames properly. */
  interface Script {
    /**
     * @return false to close the connection instead of answering
     */
    boolean answer(int frame, DataOutputStream out) throws IOException;
  }

  private AgentConnector fake(Script script) throws IOException {
    listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    listener.bind(UnixDomainSocketAddress.of(dir.resolve("fake.sock")));
    ServerSocketChannel l = listener;
    serving =
        CompletableFuture.runAsync(
            () -> {
              while (true) {
                try (SocketChannel c = l.accept()) {
                  DataInputStream in = new DataInputStream(Channels.newInputStream(c));
                  DataOutputStream out = new DataOutputStream(Channels.newOutputStream(c));
                  while (true) {
                    int type = in.read();
                    if (type < 0) {
                      break;
                    }
                    long length = in.readLong();
                    in.skipNBytes(length);
                    if (!script.answer(type, out)) {
                      break;
                    }
                    out.flush();
                  }
                } catch (IOException e) {
                  return; // the listener closed
                }
              }
            });
    return new UnixSocketConnector(dir, "fake");
  }

  private static void frame(DataOutputStream out, int type, byte[] payload) throws IOException {
    out.writeByte(type);
    out.writeLong(payload.length);
    out.write(payload);
  }

  private static byte[] staged(int id) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(b);
    d.writeInt(id);
    d.writeLong(10);
    return b.toByteArray();
  }

  /** Answers the open and each message; what it does with a commit is the test's. */
  private static Script stagingThen(Script atCommit) {
    int[] ids = {0};
    return (frame, out) -> {
      switch (frame) {
        case 'D' -> frame(out, 'K', new byte[0]);
        case 'M' -> frame(out, 'S', staged(++ids[0]));
        default -> {
          return atCommit.answer(frame, out);
        }
      }
      return true;
    };
  }

  private static void assertDeferred(Destination d, List<Destination.Staged> batch, String words) {
    assertThatThrownBy(() -> d.commit(batch))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> assertThat(e.refusal()).isInstanceOf(Outcome.Deferred.class))
        .hasMessageContaining(words);
  }

  @Test
  void anAgentThatDiesBeforeAnsweringTheCommitHasDeliveredNothing() throws Exception {
    Destination d = maildir(fake(stagingThen((frame, out) -> false)), dir.resolve("M"));
    Destination.Staged s = d.stage(MESSAGE, wire("Subject: x\r\n\r\nx\r\n"));
    assertDeferred(d, List.of(s), "closed the connection without an answer");
  }

  @Test
  void anAgentKilledWhileAMessageIsOnTheWayIsADeferral() throws Exception {
    // The agent opens, reads the head of the message frame and dies while the client is still
    // writing the 4 MiB after it.
    listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    listener.bind(UnixDomainSocketAddress.of(dir.resolve("fake.sock")));
    ServerSocketChannel l = listener;
    serving =
        CompletableFuture.runAsync(
            () -> {
              try (SocketChannel ch = l.accept()) {
                DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
                DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
                in.read();
                in.skipNBytes(in.readLong());
                frame(out, 'K', new byte[0]);
                out.flush();
                in.read();
                in.readLong();
              } catch (IOException e) {
                // the test ended
              }
            });
    AgentConnector c = new UnixSocketConnector(dir, "fake");
    Destination d = maildir(c, dir.resolve("M"));
    String big = "Subject: big\r\n\r\n" + "x".repeat(100) + "\r\n";
    assertThatThrownBy(() -> d.stage(MESSAGE, wire(big.repeat(40_000))))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> assertThat(e.refusal()).isInstanceOf(Outcome.Deferred.class))
        .hasMessageContaining("delivery agent for alice")
        .hasMessageContaining("the mail stays on the server");
    assertThat(files(dir.resolve("spool"))).isEmpty();
  }

  @Test
  void anAnswerOtherThanDurableToACommitIsNotDurable() throws Exception {
    Destination d =
        maildir(
            fake(
                stagingThen(
                    (frame, out) -> {
                      frame(out, 'S', staged(7));
                      return true;
                    })),
            dir.resolve("M"));
    Destination.Staged s = d.stage(MESSAGE, wire("Subject: x\r\n\r\nx\r\n"));
    assertDeferred(d, List.of(s), "out of turn");
  }

  @Test
  void anAgentThatNeverAnswersIsGivenUpOn() throws Exception {
    CompletableFuture<Void> never = new CompletableFuture<>();
    AgentConnector c =
        fake(
            stagingThen(
                (frame, out) -> {
                  never.join();
                  return false;
                }));
    Destination d =
        new AgentDestination(
            c,
            AgentTarget.maildir(dir.resolve("M")),
            "alice",
            dir.resolve("spool"),
            Duration.ofMillis(300));
    Destination.Staged s = d.stage(MESSAGE, wire("Subject: x\r\n\r\nx\r\n"));
    try {
      assertDeferred(d, List.of(s), "delivery agent for alice");
    } finally {
      never.complete(null);
    }
  }

  @Test
  void anAnswerLongerThanItsBoundIsABrokenStreamNotAnAllocation() throws Exception {
    Destination d =
        maildir(
            fake(
                (frame, out) -> {
                  out.writeByte('T');
                  out.writeLong(1L << 40);
                  return true;
                }),
            dir.resolve("M"));
    assertThatThrownBy(() -> d.stage(MESSAGE, wire("Subject: x\r\n\r\nx\r\n")))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> assertThat(e.refusal()).isInstanceOf(Outcome.Deferred.class))
        .hasMessageContaining("at most " + AgentProtocol.MAX_CONTROL);
  }

  @Test
  void aMessageStagedThroughAnEarlierConnectionIsNeverCommitted() throws Exception {
    Destination d = maildir(fake(stagingThen((frame, out) -> false)), dir.resolve("M"));
    Destination.Staged s = d.stage(MESSAGE, wire("Subject: x\r\n\r\nx\r\n"));
    assertDeferred(d, List.of(s), "without an answer");
    // The connection is gone, and the agent threw away what it had staged: a later commit of the
    // same message must not be taken for a delivery.
    assertDeferred(d, List.of(s), "went away before the commit");
  }

  @Test
  void aRefusedMessageLeavesTheRestOfTheBatchToCommit() throws Exception {
    int[] n = {0};
    Destination d =
        maildir(
            fake(
                (frame, out) -> {
                  switch (frame) {
                    case 'D', 'C' -> frame(out, 'K', new byte[0]);
                    case 'M' -> {
                      if (++n[0] == 2) {
                        frame(out, 'T', "disk full".getBytes(ISO_8859_1));
                      } else {
                        frame(out, 'S', staged(n[0]));
                      }
                    }
                    default -> {
                      return false;
                    }
                  }
                  return true;
                }),
            dir.resolve("M"));
    Destination.Staged one = d.stage(MESSAGE, wire("Subject: 1\r\n\r\nx\r\n"));
    assertThatThrownBy(() -> d.stage(MESSAGE, wire("Subject: 2\r\n\r\nx\r\n")))
        .hasMessage("delivery agent for alice: disk full");
    d.commit(List.of(one));
  }

  /** Writes frames as a client would, for the agent's side. */
  private static byte[] frames(AgentTarget target, byte[]... more) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    AgentProtocol.write(b, AgentProtocol.OPEN, target.encode());
    for (byte[] m : more) {
      b.write(m);
    }
    return b.toByteArray();
  }

  private static byte[] messageFrame(String text, long declared) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(b);
    byte[] body = text.getBytes(ISO_8859_1);
    d.writeByte('M');
    d.writeLong(2 + 1 + 2 + 1 + declared);
    d.writeShort(1);
    d.write('s');
    d.writeShort(1);
    d.write('r');
    d.write(body);
    return b.toByteArray();
  }

  private AgentSession session(byte[] input, OutputStream out) {
    return new AgentSession(
        new ByteArrayInputStream(input), out, new MailboxOpener(dir.resolve("agent-spool"), "h"));
  }

  @Test
  void aMessageCutShortByTheClientIsNeitherStagedNorDelivered() throws Exception {
    Path maildir = dir.resolve("Maildir");
    byte[] in =
        frames(AgentTarget.maildir(maildir), messageFrame("Subject: x\r\n\r\nhalf of i", 1000));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThatThrownBy(() -> session(in, out).serve()).isInstanceOf(IOException.class);
    assertThat(files(maildir.resolve("tmp"))).isEmpty();
    assertThat(files(maildir.resolve("new"))).isEmpty();
  }

  @Test
  void whatASessionStagedAndDidNotCommitIsThrownAwayWhenItEnds() throws Exception {
    Path maildir = dir.resolve("Maildir");
    String text = "Subject: x\r\n\r\nwhole\r\n";
    byte[] in = frames(AgentTarget.maildir(maildir), messageFrame(text, text.length()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    session(in, out).serve();
    assertThat(out.toByteArray()[0]).isEqualTo((byte) 'K');
    assertThat(out.toByteArray()[9]).isEqualTo((byte) 'S');
    assertThat(files(maildir.resolve("tmp"))).isEmpty();
    assertThat(files(maildir.resolve("new"))).isEmpty();
  }

  @Test
  void theAgentRefusesAFrameLongerThanItsBoundBeforeReadingIt() throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(b);
    d.writeByte('M');
    d.writeLong(AgentProtocol.MAX_MESSAGE + 1);
    byte[] in = frames(AgentTarget.maildir(dir.resolve("Maildir")), b.toByteArray());
    assertThatThrownBy(() -> session(in, new ByteArrayOutputStream()).serve())
        .isInstanceOf(AgentProtocol.AgentProtocolException.class)
        .hasMessageContaining("at most");
    ByteArrayOutputStream c = new ByteArrayOutputStream();
    new DataOutputStream(c).writeByte('D');
    new DataOutputStream(c).writeLong(AgentProtocol.MAX_CONTROL + 1);
    assertThatThrownBy(() -> session(c.toByteArray(), new ByteArrayOutputStream()).serve())
        .isInstanceOf(AgentProtocol.AgentProtocolException.class);
  }

  @Test
  void theAgentChecksTheDestinationAgain() {
    for (String bad :
        List.of(
            "1\0maildir\0relative/Maildir\0",
            "1\0maildir\0/home/alice/../bob/Maildir\0",
            "1\0maildir\0/home/alice/Mail\u001bdir\0",
            "1\0mbox\0/var/mail/alice\0.folder",
            "1\0maildir\0/home/alice/Maildir\0../x",
            "1\0maildir\0/home/alice/Maildir\0.a/b",
            "2\0maildir\0/home/alice/Maildir\0",
            "1\0pipe\0/bin/sh\0",
            "1\0maildir\0/home/alice/Maildir",
            "1\0maildir\0/" + "x".repeat(AgentTarget.MAX_PATH) + "\0")) {
      assertThatThrownBy(() -> AgentTarget.decode(bad.getBytes(StandardCharsets.UTF_8)))
          .as(bad)
          .isInstanceOf(AgentProtocol.AgentProtocolException.class);
    }
  }

  @Test
  void aFrameBeforeTheOpenEndsTheSession() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    assertThatThrownBy(
            () -> {
              AgentProtocol.write(b, AgentProtocol.COMMIT, new byte[0]);
              session(b.toByteArray(), new ByteArrayOutputStream()).serve();
            })
        .isInstanceOf(AgentProtocol.AgentProtocolException.class)
        .hasMessageContaining("before the open");
  }
}
