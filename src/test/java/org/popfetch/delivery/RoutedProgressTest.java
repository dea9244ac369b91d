package org.popfetch.delivery;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.fetch.MessageProgress;
import org.popfetch.message.Envelope;
import org.popfetch.message.HeaderFields;
import org.popfetch.message.TraceHeaders;
import org.popfetch.testing.MemoryLedger;

/** A rule with several destinations, tried again after one failed, gives none a second copy. */
class RoutedProgressTest {
  @TempDir Path dir;

  static final String WIRE = "From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n";

  Incoming incoming(MessageProgress progress) throws Exception {
    HeaderFields header =
        HeaderFields.read(new ByteArrayInputStream(WIRE.getBytes(ISO_8859_1))).header();
    return new Incoming(
        "acct",
        new Envelope("a@example.org", "me@example.org"),
        TraceHeaders.NONE,
        header,
        progress);
  }

  PipeDestination pipe(String script) throws DeliveryException {
    return new PipeDestination(
        List.of("/bin/sh", "-c", script),
        Duration.ofSeconds(30),
        dir.resolve("spool"),
        Optional.empty(),
        true); // the tests may run as root
  }

  Destination.Staged deliver(RoutedDestination routed, MessageProgress progress) throws Exception {
    Destination.Staged s =
        routed.stage(incoming(progress), new ByteArrayInputStream(WIRE.getBytes(ISO_8859_1)));
    routed.commit(List.of(s));
    return s;
  }

  @Test
  void aProgramThatHadTheMessageIsNotRunAgainWhenALaterOneFailed() throws Exception {
    Path first = dir.resolve("first.out");
    Path flag = dir.resolve("second.failed-once");
    Path second = dir.resolve("second.out");
    Path maildir = dir.resolve("Maildir");
    RoutedDestination routed =
        new RoutedDestination(
            List.of(
                new RoutedDestination.Rule(
                    new FieldMatch(FieldMatch.Source.HEADER, "subject", FieldMatch.Kind.IS, "hi"),
                    List.of(
                        new RoutedDestination.Target.Fixed(pipe("cat >> '" + first + "'")),
                        new RoutedDestination.Target.Fixed(new MaildirDestination(maildir, "h")),
                        new RoutedDestination.Target.Fixed(
                            pipe(
                                "if [ -e '"
                                    + flag
                                    + "' ]; then cat >> '"
                                    + second
                                    + "'; else cat > /dev/null; touch '"
                                    + flag
                                    + "'; exit 75; fi"))))),
            new MaildirDestination(dir.resolve("Other"), "h"),
            dir.resolve("spool"),
            "h");
    MemoryLedger ledger = new MemoryLedger();
    MessageProgress progress = MessageProgress.of(ledger, AccountKey.named("acct"), "uid-1");

    assertThatThrownBy(() -> deliver(routed, progress)).isInstanceOf(DeliveryException.class);
    deliver(routed, MessageProgress.of(ledger, AccountKey.named("acct"), "uid-1"));

    assertThat(Files.readString(first, ISO_8859_1).split("Subject: hi", -1)).hasSize(2);
    assertThat(Files.readString(second, ISO_8859_1).split("Subject: hi", -1)).hasSize(2);
    try (var files = Files.list(maildir.resolve("new"))) {
      assertThat(files.count()).isEqualTo(1);
    }

    // Tried a third time (its record as delivered was lost): nobody gets it again.
    deliver(routed, MessageProgress.of(ledger, AccountKey.named("acct"), "uid-1"));
    assertThat(Files.readString(first, ISO_8859_1).split("Subject: hi", -1)).hasSize(2);
    try (var files = Files.list(maildir.resolve("new"))) {
      assertThat(files.count()).isEqualTo(1);
    }
  }
}
