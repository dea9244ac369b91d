package org.popfetch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.popfetch.agent.AgentDestination;
import org.popfetch.agent.AgentServer;
import org.popfetch.agent.UnixSocketConnector;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.message.Envelope;
import org.popfetch.message.TraceHeaders;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.queue.MailQueue;
import org.popfetch.queue.QueuePolicy;
import org.popfetch.queue.QueueRunner;
import org.popfetch.smtp.SmtpSettings;
import org.popfetch.testing.MessageCorpus;
import org.popfetch.testing.MessageCorpus.Case;
import org.popfetch.testing.ScriptedServer;

/**
 * What every {@link Destination} promises, held against every message of the golden corpus: what a
 * reader of the destination gets back is the message as it came off the wire, with the trace fields
 * on top and only the destination's documented line-end handling applied; a discarded message is
 * nowhere to be seen (except where a program already has it); a committed one is visible, once.
 */
class DestinationContractTest {
  static final Instant WHEN = Instant.parse("2026-11-30T10:00:00Z");
  static final TraceHeaders TRACE =
      TraceHeaders.forFetch(
          "pop.example.org", true, "mx.example.net", "acct", "me@example.org", WHEN);
  static final Incoming MESSAGE =
      new Incoming("acct", new Envelope("alice@example.org", "me@example.org"), TRACE);

  @TempDir Path dir;

  /** One destination as the contract sees it: how to make it, read it back, and what to expect. */
  interface Subject {
    Destination open(Path dir) throws Exception;

    /** Every copy a reader of the destination can see now, as the reader restores it. */
    List<byte[]> visible(Path dir) throws Exception;

    /** What {@link #visible} should hold once {@code wire} is committed. */
    List<byte[]> expected(byte[] wire);

    /** A program has the message once stage returns: nothing can take it back. */
    default boolean takenAtStage() {
      return false;
    }
  }

  static final Subject MAILDIR =
      new Subject() {
        @Override
        public Destination open(Path dir) throws Exception {
          return new MaildirDestination(dir.resolve("Maildir"), "mx.example.net");
        }

        @Override
        public List<byte[]> visible(Path dir) throws Exception {
          return maildirMessages(dir.resolve("Maildir"));
        }

        @Override
        public List<byte[]> expected(byte[] wire) {
          return List.of(crlfToLf(withTrace("\r\n", wire)));
        }

        @Override
        public String toString() {
          return "maildir";
        }
      };

  static final Subject MBOX =
      new Subject() {
        @Override
        public Destination open(Path dir) throws Exception {
          return new MboxDestination(dir.resolve("inbox.mbox"), dir.resolve("spool"));
        }

        @Override
        public List<byte[]> visible(Path dir) throws Exception {
          Path mbox = dir.resolve("inbox.mbox");
          return Files.exists(mbox) ? readMboxrd(Files.readAllBytes(mbox)) : List.of();
        }

        @Override
        public List<byte[]> expected(byte[] wire) {
          return List.of(mboxrdExact(crlfToLf(withTrace("\r\n", wire))));
        }

        @Override
        public String toString() {
          return "mbox";
        }
      };

  static final Subject PIPE =
      new Subject() {
        @Override
        public Destination open(Path dir) throws Exception {
          // tee writes its standard input to the file named as its argument: no shell involved.
          return new PipeDestination(
              List.of("/usr/bin/tee", dir.resolve("piped").toString()),
              Duration.ofSeconds(30),
              dir.resolve("spool"),
              Optional.empty(),
              true);
        }

        @Override
        public List<byte[]> visible(Path dir) throws Exception {
          Path out = dir.resolve("piped");
          return Files.exists(out) ? List.of(Files.readAllBytes(out)) : List.of();
        }

        @Override
        public List<byte[]> expected(byte[] wire) {
          return List.of(crlfToLf(withTrace("\r\n", wire)));
        }

        @Override
        public boolean takenAtStage() {
          return true;
        }

        @Override
        public String toString() {
          return "pipe";
        }
      };

  static final Subject FORWARD =
      new Subject() {
        @Override
        public Destination open(Path dir) throws Exception {
          MailQueue queue = new MailQueue(dir.resolve("queue"), Clock.fixed(WHEN, ZoneOffset.UTC));
          return new ForwardDestination(queue, "relay", List.of());
        }

        @Override
        public List<byte[]> visible(Path dir) throws Exception {
          return filesIn(dir.resolve("queue/data"));
        }

        @Override
        public List<byte[]> expected(byte[] wire) {
          return List.of(withTrace("\r\n", wire)); // the queue keeps the wire form: CRLF, as sent
        }

        @Override
        public String toString() {
          return "forward";
        }
      };

  /**
   * A Maildir written by a delivery agent (here as this same user) over its socket: a reader sees
   * exactly what the Maildir written directly shows.
   */
  static final Subject AGENT =
      new Subject() {
        @Override
        public Destination open(Path dir) throws Exception {
          ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
          listener.bind(UnixDomainSocketAddress.of(dir.resolve("agent.sock")));
          AgentServer server =
              AgentServer.forMailboxes(
                  dir.resolve("agent-spool"), "mx.example.net", Duration.ofSeconds(5));
          Thread t =
              new Thread(
                  () -> {
                    try {
                      server.serve(listener);
                    } catch (IOException e) {
                      // the test's directory went away
                    }
                  });
          t.setDaemon(true);
          t.start();
          return AgentDestination.maildir(
              new UnixSocketConnector(dir, "agent"),
              "agent",
              dir.resolve("Maildir"),
              "",
              dir.resolve("spool"));
        }

        @Override
        public List<byte[]> visible(Path dir) throws Exception {
          return maildirMessages(dir.resolve("Maildir"));
        }

        @Override
        public List<byte[]> expected(byte[] wire) {
          return List.of(crlfToLf(withTrace("\r\n", wire)));
        }

        @Override
        public String toString() {
          return "agent";
        }
      };

  /** A rule that sends every message both to a Maildir folder and to an mbox. */
  static final Subject ROUTED =
      new Subject() {
        @Override
        public Destination open(Path dir) throws Exception {
          Path maildir = dir.resolve("Maildir");
          FieldMatch everyone =
              new FieldMatch(FieldMatch.Source.RECIPIENT, null, FieldMatch.Kind.GLOB, "*");
          return new RoutedDestination(
              List.of(
                  new RoutedDestination.Rule(
                      everyone,
                      List.of(
                          new RoutedDestination.Target.Folder(maildir, "Routed"),
                          new RoutedDestination.Target.Fixed(MBOX.open(dir))))),
              MAILDIR.open(dir),
              dir.resolve("spool"),
              "mx.example.net");
        }

        @Override
        public List<byte[]> visible(Path dir) throws Exception {
          List<byte[]> out = new ArrayList<>(maildirMessages(dir.resolve("Maildir/.Routed")));
          out.addAll(MBOX.visible(dir));
          assertThat(maildirMessages(dir.resolve("Maildir"))).as("the catch-all").isEmpty();
          return out;
        }

        @Override
        public List<byte[]> expected(byte[] wire) {
          return List.of(MAILDIR.expected(wire).get(0), MBOX.expected(wire).get(0));
        }

        @Override
        public String toString() {
          return "routed";
        }
      };

  static Stream<Arguments> everyMessageForEveryDestination() {
    List<Case> corpus = MessageCorpus.all();
    return Stream.of(MAILDIR, MBOX, PIPE, FORWARD, ROUTED, AGENT)
        .flatMap(s -> corpus.stream().map(c -> Arguments.of(s, c)));
  }

  @Test
  void theCorpusIsThere() {
    assertThat(MessageCorpus.files()).hasSizeGreaterThanOrEqualTo(MessageCorpus.MINIMUM_FILES);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("everyMessageForEveryDestination")
  void aCommittedMessageReadsBackAsItCameOffTheWire(Subject subject, Case message)
      throws Exception {
    Destination d = subject.open(dir);
    Destination.Staged staged = d.stage(MESSAGE, new ByteArrayInputStream(message.bytes()));
    if (!subject.takenAtStage()) {
      assertThat(subject.visible(dir)).as("visible before commit").isEmpty();
    }
    d.commit(List.of(staged));

    List<byte[]> visible = subject.visible(dir);
    List<byte[]> expected = subject.expected(message.bytes());
    assertThat(visible).as("copies").hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertBytes(visible.get(i), expected.get(i), subject + " copy " + i + " of " + message);
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("everyMessageForEveryDestination")
  void aDiscardedMessageLeavesNothingBehind(Subject subject, Case message) throws Exception {
    Destination d = subject.open(dir);
    Destination.Staged staged = d.stage(MESSAGE, new ByteArrayInputStream(message.bytes()));
    d.discard(List.of(staged));
    if (subject.takenAtStage()) {
      assertThat(subject.visible(dir)).as("a program keeps what it was given").hasSize(1);
    } else {
      assertThat(subject.visible(dir)).isEmpty();
    }
    assertThat(filesIn(dir.resolve("spool"))).as("scratch files").isEmpty();
    assertThat(filesIn(dir.resolve("Maildir/tmp"))).as("Maildir tmp/").isEmpty();
    assertThat(filesIn(dir.resolve("Maildir/.Routed/tmp"))).as("folder tmp/").isEmpty();
    assertThat(filesIn(dir.resolve("queue/incoming"))).as("queue incoming/").isEmpty();

    // The destination takes the next batch as if nothing had happened.
    d.commit(List.of(d.stage(MESSAGE, new ByteArrayInputStream(message.bytes()))));
    assertThat(subject.visible(dir)).hasSize(subject.expected(message.bytes()).size());
  }

  static Stream<Case> everyMessage() {
    return MessageCorpus.all().stream();
  }

  /**
   * The queue's half of forwarding: what an SMTP server receives is the queued message with every
   * line end made CRLF (RFC 5321 section 2.3.8 allows no other), a final CRLF added if it lacked
   * one, and nothing else changed once the server undoes the dot-stuffing.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("everyMessage")
  void aForwardedMessageReachesTheSmtpServerAsItCameOffTheWire(Case message) throws Exception {
    Destination forward = FORWARD.open(dir);
    forward.commit(List.of(forward.stage(MESSAGE, new ByteArrayInputStream(message.bytes()))));
    MailQueue queue = new MailQueue(dir.resolve("queue"), Clock.fixed(WHEN, ZoneOffset.UTC));
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("220 sink.test ESMTP");
              c.expect("EHLO popfetch.test");
              c.send("250-sink.test", "250-8BITMIME", "250 PIPELINING");
              c.expectPrefix("MAIL FROM:<alice@example.org>");
              c.expect("RCPT TO:<me@example.org>");
              c.expect("DATA");
              c.send("250 ok", "250 ok", "354 go");
              readData(c.input(), data);
              c.send("250 2.0.0 queued");
              c.expect("QUIT");
              c.send("221 bye");
            })) {
      SmtpSettings settings =
          new SmtpSettings(
              "127.0.0.1",
              server.port(),
              SmtpSettings.Tls.NONE,
              TlsTrust.SYSTEM,
              new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)),
              Duration.ofSeconds(10),
              "popfetch.test",
              false,
              true);
      QueueRunner runner =
          new QueueRunner(
              queue,
              Map.of("relay", new QueueRunner.Route(settings, Optional.empty())),
              QueuePolicy.defaults("popfetch.test"),
              Clock.fixed(WHEN, ZoneOffset.UTC),
              ProtocolTrace.NONE);
      assertThat(runner.run(false).delivered()).isEqualTo(1);
    }
    byte[] sent = data.toByteArray();
    for (int i = 0; i < sent.length; i++) {
      boolean crlf = sent[i] == '\r' && i + 1 < sent.length && sent[i + 1] == '\n';
      if (crlf) {
        i++;
      } else if (sent[i] == '\r' || sent[i] == '\n') {
        throw new AssertionError("a bare " + (sent[i] == '\r' ? "CR" : "LF") + " at octet " + i);
      }
    }
    byte[] expected = smtpLineEnds(withTrace("\r\n", message.bytes()));
    assertBytes(dotUnstuff(sent), expected, "sent " + message);
  }

  /** The DATA octets up to and without the final "." line (its CRLF before it stays). */
  private static void readData(InputStream raw, ByteArrayOutputStream data) throws IOException {
    // Buffering cannot take the next command: the client waits for the reply to DATA first.
    InputStream in = new BufferedInputStream(raw, 64 * 1024);
    long last5 = 0; // the last five octets read, as a number
    long endOfData = 0x0d0a2e0d0aL; // CRLF "." CRLF
    do {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("the client hung up in the middle of DATA");
      }
      data.write(b);
      last5 = ((last5 << 8) | b) & 0xff_ffff_ffffL;
    } while (last5 != endOfData || data.size() < 5);
    byte[] all = data.toByteArray();
    data.reset();
    data.write(all, 0, all.length - 3);
  }

  /** What the receiving server stores: lines starting "." lose that dot (RFC 5321 4.5.2). */
  static byte[] dotUnstuff(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    boolean lineStart = true;
    for (int i = 0; i < in.length; i++) {
      if (!(lineStart && in[i] == '.')) {
        out.write(in[i]);
      }
      lineStart = in[i] == '\n';
    }
    return out.toByteArray();
  }

  /** Every CRLF, lone CR and lone LF made CRLF; a CRLF added at the end if none is there. */
  static byte[] smtpLineEnds(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 2);
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '\r' || in[i] == '\n') {
        out.write('\r');
        out.write('\n');
        if (in[i] == '\r' && i + 1 < in.length && in[i + 1] == '\n') {
          i++;
        }
      } else {
        out.write(in[i]);
      }
    }
    byte[] b = out.toByteArray();
    if (b.length >= 2 && b[b.length - 1] == '\n') {
      return b;
    }
    out.write('\r');
    out.write('\n');
    return out.toByteArray();
  }

  /** The trace fields with {@code lineEnd}, then the wire bytes. */
  static byte[] withTrace(String lineEnd, byte[] wire) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(TRACE.toBytes(lineEnd));
    out.writeBytes(wire);
    return out.toByteArray();
  }

  /** Maildir and mbox store LF line ends: each CRLF loses its CR; a lone CR is data. */
  static byte[] crlfToLf(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    for (int i = 0; i < in.length; i++) {
      if (!(in[i] == '\r' && i + 1 < in.length && in[i + 1] == '\n')) {
        out.write(in[i]);
      }
    }
    return out.toByteArray();
  }

  /** mboxrd cannot say "no final line end": a reader gets one added, and nothing else differs. */
  static byte[] mboxrdExact(byte[] lf) {
    if (lf.length > 0 && lf[lf.length - 1] == '\n') {
      return lf;
    }
    byte[] out = Arrays.copyOf(lf, lf.length + 1);
    out[lf.length] = '\n';
    return out;
  }

  /**
   * An mboxrd reader: a line starting "From " opens a message (and is not part of it), a line
   * matching {@code >+From } loses one '>', and each message ends with a blank line that is the
   * separator's, not the message's.
   */
  static List<byte[]> readMboxrd(byte[] file) {
    List<byte[]> messages = new ArrayList<>();
    ByteArrayOutputStream current = null;
    int start = 0;
    while (start < file.length) {
      int end = start;
      while (end < file.length && file[end] != '\n') {
        end++;
      }
      int next = Math.min(end + 1, file.length);
      if (startsWith(file, start, "From ")) {
        if (current != null) {
          messages.add(withoutSeparator(current.toByteArray()));
        }
        current = new ByteArrayOutputStream();
      } else {
        assertThat(current).as("text before the first From_ line").isNotNull();
        int gt = start;
        while (gt < end && file[gt] == '>') {
          gt++;
        }
        boolean quoted = gt > start && startsWith(file, gt, "From ");
        current.write(file, quoted ? start + 1 : start, next - (quoted ? start + 1 : start));
      }
      start = next;
    }
    if (current != null) {
      messages.add(withoutSeparator(current.toByteArray()));
    }
    return messages;
  }

  private static byte[] withoutSeparator(byte[] message) {
    int n = message.length;
    assertThat(n >= 2 && message[n - 1] == '\n' && message[n - 2] == '\n')
        .as("a message in an mbox ends with a blank line")
        .isTrue();
    return Arrays.copyOf(message, message.length - 1);
  }

  private static boolean startsWith(byte[] b, int at, String prefix) {
    if (b.length - at < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (b[at + i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The messages in new/, each checked against the size its name claims. */
  static List<byte[]> maildirMessages(Path maildir) throws IOException {
    Path newDir = maildir.resolve("new");
    List<byte[]> out = new ArrayList<>();
    if (!Files.isDirectory(newDir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(newDir)) {
      for (Path p : files.sorted().toList()) {
        byte[] bytes = Files.readAllBytes(p);
        assertThat(p.getFileName().toString()).endsWith(",S=" + bytes.length);
        out.add(bytes);
      }
    }
    return out;
  }

  static List<byte[]> filesIn(Path d) throws IOException {
    List<byte[]> out = new ArrayList<>();
    if (!Files.isDirectory(d)) {
      return out;
    }
    try (Stream<Path> files = Files.list(d)) {
      for (Path p : files.sorted().toList()) {
        out.add(Files.readAllBytes(p));
      }
    }
    return out;
  }

  /** Equal bytes, or a failure that says where they part and shows both sides there. */
  static void assertBytes(byte[] actual, byte[] expected, String what) {
    int i = Arrays.mismatch(actual, expected);
    if (i < 0) {
      return;
    }
    throw new AssertionError(
        what
            + ": differs at octet "
            + i
            + " (lengths "
            + actual.length
            + " and "
            + expected.length
            + "): got "
            + around(actual, i)
            + ", expected "
            + around(expected, i));
  }

  private static String around(byte[] b, int i) {
    int from = Math.max(0, i - 20);
    int to = Math.min(b.length, i + 20);
    StringBuilder sb = new StringBuilder("[");
    for (int k = from; k < to; k++) {
      int c = b[k] & 0xff;
      boolean plain = c >= 0x20 && c < 0x7f && c != '\\';
      sb.append(plain ? String.valueOf((char) c) : String.format("\\x%02x", c));
    }
    return sb.append(']').toString();
  }
}
