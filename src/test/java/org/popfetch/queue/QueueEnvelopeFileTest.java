package org.popfetch.queue;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.message.Addresses;
import org.popfetch.testing.Hostile;
import org.slf4j.LoggerFactory;

/**
 * The envelope file on disk: what is written reads back the same, and a damaged one is never taken.
 */
class QueueEnvelopeFileTest {
  @TempDir Path dir;
  MailQueue queue;

  @BeforeEach
  void open() throws IOException {
    queue = new MailQueue(dir.resolve("queue"), Clock.systemUTC());
  }

  private static QueueEntry sample() {
    Map<String, QueueEntry.Status> rcpts = new LinkedHashMap<>();
    rcpts.put("bob@example.org", new QueueEntry.Status(QueueEntry.State.DELIVERED, "250 2.0.0 ok"));
    rcpts.put("carol@example.org", QueueEntry.Status.PENDING);
    rcpts.put(
        "dave@example.org",
        new QueueEntry.Status(QueueEntry.State.PENDING, "452 4.2.2 over quota"));
    return new QueueEntry(
        "ID1",
        "alice@example.org",
        rcpts,
        "relay",
        Instant.parse("2026-11-27T10:00:00Z"),
        2,
        "452 4.2.2 over quota",
        true);
  }

  @Test
  void anEnvelopeCutAtAnyByteIsMovedToCorruptWithALogLineNeverReadWithFewerRecipients()
      throws Exception {
    byte[] whole = sample().format();
    assertThat(QueueEntry.parse("ID1", whole)).isEqualTo(sample());
    Logger logger = (Logger) LoggerFactory.getLogger(MailQueue.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    logger.addAppender(events);
    try {
      for (int cut = 0; cut < whole.length; cut++) {
        byte[] part = Arrays.copyOf(whole, cut);
        assertThatThrownBy(() -> QueueEntry.parse("ID1", part))
            .as("cut at %d: %s", cut, new String(part, US_ASCII))
            .isInstanceOf(IOException.class);
        Files.write(dir.resolve("queue/deferred/ID1"), part);
        Files.write(dir.resolve("queue/data/ID1"), new byte[] {'x'});
        events.list.clear();
        assertThat(queue.entries()).as("cut at %d", cut).isEmpty();
        assertThat(dir.resolve("queue/corrupt/ID1.env"))
            .as("cut at %d", cut)
            .hasBinaryContent(part);
        assertThat(dir.resolve("queue/corrupt/ID1.msg")).exists();
        assertThat(events.list)
            .as("cut at %d", cut)
            .singleElement()
            .satisfies(
                e ->
                    assertThat(e.getFormattedMessage())
                        .contains("ID1")
                        .contains("damaged")
                        .contains("corrupt"));
        Files.delete(dir.resolve("queue/corrupt/ID1.env"));
        Files.delete(dir.resolve("queue/corrupt/ID1.msg"));
      }
    } finally {
      logger.detachAppender(events);
    }
  }

  @Test
  void theFileIsOneRecordPerLineEveryValueEncodedAndEndsWithE() {
    Map<String, QueueEntry.Status> rcpts = new LinkedHashMap<>();
    rcpts.put("bob@example.org", new QueueEntry.Status(QueueEntry.State.DELIVERED, "250 2.0.0 ok"));
    rcpts.put("jürgen@example.de", QueueEntry.Status.PENDING);
    QueueEntry e =
        new QueueEntry(
            "ID2",
            "",
            rcpts,
            "relay",
            Instant.parse("2026-11-27T10:00:00Z"),
            0,
            "421 closing\nC PENDING victim@evil.example 100%",
            false);
    assertThat(new String(e.format(), US_ASCII))
        .isEqualTo(
            """
            popfetch-queue 2
            S\s
            R relay
            T 2026-11-27T10:00:00Z
            A 0
            X 421%20closing%0AC%20PENDING%20victim@evil.example%20100%25
            W 0
            C DELIVERED bob@example.org 250%202.0.0%20ok
            C PENDING j%C3%BCrgen@example.de\s
            E
            """);
  }

  @Test
  void anAddressThatCouldBreakALineOrACommandIsRefusedWhenTheEntryIsMade() throws IOException {
    for (String bad :
        new String[] {
          "bob@example.org\nrcpt PENDING victim@evil.example",
          "a\r\nRCPT TO:<victim@evil.example>",
          "a\0b@x",
          "a b@x",
          "<a@x>",
          "a\u2028@x",
          "a".repeat(300)
        }) {
      assertThatThrownBy(
              () ->
                  new QueueEntry(
                      "ID3",
                      "alice@example.org",
                      Map.of(bad, QueueEntry.Status.PENDING),
                      "relay",
                      Instant.EPOCH,
                      0,
                      ""))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(
              () ->
                  new QueueEntry(
                      "ID3",
                      bad,
                      Map.of("bob@example.org", QueueEntry.Status.PENDING),
                      "relay",
                      Instant.EPOCH,
                      0,
                      ""))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> queue.stage(bad, List.of("bob@example.org"), "relay", out -> 0))
          .isInstanceOf(IOException.class);
      assertThatThrownBy(() -> queue.stage("", List.of(bad), "relay", out -> 0))
          .isInstanceOf(IOException.class);
    }
    try (var incoming = Files.list(dir.resolve("queue/incoming"))) {
      assertThat(incoming.toList()).isEmpty();
    }
  }

  @Test
  void anEnvelopeOfTheFirstFormatIsStillReadAndRewrittenInTheNew() throws Exception {
    String old =
        """
        popfetch-queue 1
        sender alice@example.org
        route relay
        arrival 2026-11-27T10:00:00Z
        attempts 2
        error 452 4.2.2 over quota
        warned
        rcpt DELIVERED bob@example.org 250 2.0.0 ok
        rcpt PENDING carol@example.org\s
        rcpt PENDING dave@example.org 452 4.2.2 over quota
        """;
    assertThat(QueueEntry.parse("ID1", old.getBytes(US_ASCII))).isEqualTo(sample());
    Files.writeString(dir.resolve("queue/deferred/ID1"), old);
    Files.write(dir.resolve("queue/data/ID1"), new byte[] {'x'});
    QueueEntry read = queue.entries().get(0).entry();
    queue.activate("ID1");
    queue.defer(read, Instant.now());
    assertThat(Files.readAllBytes(dir.resolve("queue/deferred/ID1"))).isEqualTo(sample().format());
    // an old file whose values a line break once split is still refused
    String injected =
        old.replace("rcpt PENDING carol@example.org \n", "rcpt PENDING carol@example.org\r\n");
    assertThatThrownBy(() -> QueueEntry.parse("ID1", injected.getBytes(US_ASCII)))
        .isInstanceOf(IOException.class);
  }

  /**
   * The round trip, for any values: an entry is refused when it is made, or its file reads back as
   * an equal entry, and no part of that file reads as an entry at all.
   */
  @Test
  void anyEntryIsRefusedWhenMadeOrReadsBackExactly() {
    Hostile.forAll(
        5_000,
        r -> {
          Map<String, QueueEntry.Status> rcpts = new LinkedHashMap<>();
          int n = 1 + r.nextInt(4);
          for (int i = 0; i < n; i++) {
            rcpts.put(
                r.nextInt(3) == 0 ? "rcpt" + i + "@example.org" : Hostile.string(r, 8),
                new QueueEntry.Status(
                    QueueEntry.State.values()[r.nextInt(3)], Hostile.string(r, 20)));
          }
          String sender =
              switch (r.nextInt(3)) {
                case 0 -> "";
                case 1 -> "alice@example.org";
                default -> Hostile.string(r, 8);
              };
          String route = r.nextBoolean() ? "relay" : Hostile.string(r, 6);
          QueueEntry e;
          try {
            e =
                new QueueEntry(
                    "ID" + r.nextInt(1000),
                    sender,
                    rcpts,
                    route,
                    Instant.ofEpochMilli(r.nextLong() >>> 22),
                    r.nextInt(Integer.MAX_VALUE),
                    Hostile.string(r, 30),
                    r.nextBoolean());
          } catch (IllegalArgumentException refused) {
            boolean unfit =
                (!sender.isEmpty() && !Addresses.isEnvelopeSafe(sender))
                    || rcpts.keySet().stream().anyMatch(a -> !Addresses.isEnvelopeSafe(a))
                    || !new String(route.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)
                        .equals(route);
            assertThat(unfit).as("refused for no reason: %s", refused.getMessage()).isTrue();
            return;
          }
          byte[] bytes = e.format();
          assertThat(new String(bytes, US_ASCII)).matches("[\\x20-\\x7e\\n]*");
          assertThat(QueueEntry.parse(e.id(), bytes)).isEqualTo(e);
          int cut = r.nextInt(bytes.length);
          assertThatThrownBy(() -> QueueEntry.parse(e.id(), Arrays.copyOf(bytes, cut)))
              .isInstanceOf(IOException.class);
        });
  }

  /**
   * Whatever a file holds, reading it fails with an IOException or gives an entry that writes back
   * the same.
   */
  @Test
  void anyFileIsRefusedOrReadAsAnEntryThatWritesBackTheSame() {
    byte[] good = sample().format();
    Hostile.forAll(
        5_000,
        r -> {
          byte[] bytes =
              r.nextBoolean()
                  ? (QueueEntry.MAGIC + "\n" + Hostile.string(r, 30))
                      .getBytes(StandardCharsets.UTF_8)
                  : good.clone();
          for (int flips = r.nextInt(3); flips > 0 && bytes.length > 0; flips--) {
            bytes[r.nextInt(bytes.length)] = (byte) r.nextInt(256);
          }
          QueueEntry e;
          try {
            e = QueueEntry.parse("ID1", bytes);
          } catch (IOException refused) {
            return;
          }
          assertThat(e.format()).isEqualTo(bytes);
        });
  }
}
