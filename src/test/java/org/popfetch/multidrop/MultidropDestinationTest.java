package org.popfetch.multidrop;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.delivery.MaildirDestination;
import org.popfetch.delivery.PipeDestination;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.DeliveryLedger;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.fetch.MessageProgress;
import org.popfetch.message.Envelope;
import org.popfetch.message.HeaderFields;
import org.popfetch.message.Recipients;
import org.popfetch.message.TraceHeaders;
import org.popfetch.testing.MemoryLedger;

class MultidropDestinationTest {
  static final AccountKey KEY = AccountKey.named("domain");

  @TempDir Path dir;
  MemoryLedger ledger = new MemoryLedger();
  Path bobOut;
  FailingOnce carol;

  /** Commits fail while {@link #failing} is set: a disk that fills between two polls. */
  static final class FailingOnce implements Destination {
    final MaildirDestination inner;
    boolean failing;

    FailingOnce(MaildirDestination inner) {
      this.inner = inner;
    }

    @Override
    public String describe() {
      return inner.describe();
    }

    @Override
    public Staged stage(Incoming message, InputStream wireBody) throws DeliveryException {
      return inner.stage(message, wireBody);
    }

    @Override
    public void commit(List<Staged> batch) throws DeliveryException {
      if (failing) {
        throw DeliveryException.deferred("disk full");
      }
      inner.commit(batch);
    }

    @Override
    public void discard(List<Staged> batch) {
      inner.discard(batch);
    }
  }

  @BeforeEach
  void paths() {
    bobOut = dir.resolve("bob.out");
  }

  MultidropDestination destination(Optional<Duration> dedupe) throws Exception {
    carol = new FailingOnce(new MaildirDestination(dir.resolve("carol"), "h"));
    return new MultidropDestination(
        new RecipientMap(
            Set.of("example.org"), Map.of(), Set.of("alice", "bob", "carol"), Optional.empty()),
        List.of(new Recipients.EnvelopeHeader("X-Original-To", 0)),
        Map.of(
            "alice",
            new MaildirDestination(dir.resolve("alice"), "h"),
            "bob",
            new PipeDestination(
                List.of("/bin/sh", "-c", "cat >> '" + bobOut + "'"),
                Duration.ofSeconds(30),
                dir.resolve("spool"),
                Optional.empty(),
                true),
            "carol",
            carol),
        Optional.empty(),
        new MaildirDestination(dir.resolve("postmaster"), "h"),
        dir.resolve("spool"),
        "ThisHost",
        ledger,
        dedupe,
        Clock.systemUTC());
  }

  Destination.Staged stage(MultidropDestination d, String uid, String header) throws Exception {
    String wire = header + "Subject: test\r\n\r\nbody\r\n";
    HeaderFields h =
        HeaderFields.read(new ByteArrayInputStream(wire.getBytes(ISO_8859_1))).header();
    Incoming in =
        new Incoming(
            "domain",
            new Envelope("s@example.net", "maildrop@pop.example.net"),
            TraceHeaders.forFetch(
                "pop.example.net",
                true,
                "ThisHost",
                "domain",
                "maildrop@pop.example.net",
                java.time.Instant.now()),
            h,
            MessageProgress.of(ledger, KEY, uid));
    return d.stage(in, new ByteArrayInputStream(wire.getBytes(ISO_8859_1)));
  }

  void deliver(MultidropDestination d, String uid, String header) throws Exception {
    d.commit(List.of(stage(d, uid, header)));
  }

  List<String> messages(String user) throws Exception {
    Path news = dir.resolve(user).resolve("new");
    if (!Files.isDirectory(news)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(news)) {
      for (Path f : files.toList()) {
        out.add(Files.readString(f, ISO_8859_1));
      }
    }
    return out;
  }

  int bobCopies() throws Exception {
    return Files.exists(bobOut)
        ? Files.readString(bobOut, ISO_8859_1).split("Subject: test", -1).length - 1
        : 0;
  }

  @Test
  void eachLocalRecipientGetsItOnceAtTheirOwnDestinationWithTheirOwnDeliveredTo() throws Exception {
    MultidropDestination d = destination(Optional.empty());
    deliver(
        d,
        "1",
        "Message-ID: <m1@example.net>\r\n"
            + "To: Alice <alice@example.org>, bob@example.org, stranger@example.com\r\n"
            + "Cc: ALICE@example.org\r\n");
    assertThat(messages("alice")).hasSize(1);
    assertThat(messages("alice").get(0))
        .contains("Delivered-To: alice@thishost\n")
        .doesNotContain("Delivered-To: maildrop@");
    assertThat(bobCopies()).isEqualTo(1);
    assertThat(messages("carol")).isEmpty();
    assertThat(messages("postmaster")).isEmpty();
  }

  @Test
  void whatIsForNobodyGoesToTheAccountsOwnDestination() throws Exception {
    MultidropDestination d = destination(Optional.empty());
    deliver(d, "1", "To: stranger@example.com, nobody@example.org\r\n");
    assertThat(messages("postmaster")).hasSize(1);
    assertThat(messages("postmaster").get(0)).contains("Delivered-To: maildrop@pop.example.net");
  }

  @Test
  void theEnvelopeHeaderWinsOverToAndCc() throws Exception {
    MultidropDestination d = destination(Optional.empty());
    deliver(d, "1", "X-Original-To: carol@example.org\r\nTo: alice@example.org\r\n");
    assertThat(messages("carol")).hasSize(1);
    assertThat(messages("alice")).isEmpty();
  }

  @Test
  void aPartialFailureDoesNotDeliverAgainToThoseWhoHaveIt() throws Exception {
    MultidropDestination first = destination(Optional.empty());
    carol.failing = true;
    String header =
        "Message-ID: <m2@example.net>\r\nTo: alice@example.org, bob@example.org,"
            + " carol@example.org\r\n";
    Destination.Staged s = stage(first, "7", header);
    assertThatThrownBy(() -> first.commit(List.of(s))).isInstanceOf(DeliveryException.class);
    first.discard(List.of(s));
    assertThat(messages("carol")).isEmpty();

    // The next poll: the message is still on the server.
    MultidropDestination second = destination(Optional.empty());
    deliver(second, "7", header);
    assertThat(messages("alice")).hasSize(1);
    assertThat(bobCopies()).isEqualTo(1);
    assertThat(messages("carol")).hasSize(1);
  }

  @Test
  void aCopyWithTheSameMessageIdIsDeliveredOncePerRecipientWithinAPoll() throws Exception {
    MultidropDestination d = destination(Optional.empty());
    Destination.Staged a =
        stage(
            d,
            "1",
            "Message-ID: <m3@example.net>\r\nX-Original-To: alice@example.org\r\n"
                + "To: alice@example.org, bob@example.org\r\n");
    Destination.Staged b =
        stage(
            d,
            "2",
            "Message-ID: <m3@example.net>\r\nX-Original-To: alice@example.org\r\n"
                + "To: alice@example.org, bob@example.org\r\n");
    Destination.Staged c =
        stage(
            d,
            "3",
            "Message-ID: <m3@example.net>\r\nX-Original-To: bob@example.org\r\n"
                + "To: alice@example.org, bob@example.org\r\n");
    d.commit(List.of(a, b, c));
    assertThat(messages("alice")).hasSize(1);
    assertThat(bobCopies()).isEqualTo(1);

    // Another poll, without the dedupe across accounts: a new message with an old Message-ID
    MultidropDestination later = destination(Optional.empty());
    deliver(later, "4", "Message-ID: <m3@example.net>\r\nTo: alice@example.org\r\n");
    assertThat(messages("alice")).hasSize(2);
  }

  @Test
  void theDedupeAcrossAccountsRemembersMessageIdsForItsWindow() throws Exception {
    deliver(
        destination(Optional.of(Duration.ofDays(7))),
        "1",
        "Message-ID: <m4@example.net>\r\nTo: alice@example.org\r\n");
    deliver(
        destination(Optional.of(Duration.ofDays(7))),
        "other-account-uid",
        "Message-ID: <m4@example.net>\r\nTo: alice@example.org, carol@example.org\r\n");
    assertThat(messages("alice")).hasSize(1);
    assertThat(messages("carol")).hasSize(1);
  }

  @Test
  void aMessageThatCarriesThisHostsDeliveredToForAUserIsNotDeliveredToThemAgain() throws Exception {
    MultidropDestination d = destination(Optional.empty());
    deliver(
        d,
        "1",
        "Delivered-To: carol@thishost\r\nDelivered-To: carol@example.org\r\n"
            + "To: carol@example.org, alice@example.org\r\n");
    assertThat(messages("carol")).isEmpty();
    assertThat(messages("alice")).hasSize(1);
    assertThat(messages("postmaster")).isEmpty();
  }

  @Test
  void aLedgerThatCannotBeReadLeavesTheMessageForLater() throws Exception {
    ledger = new MemoryLedger();
    MultidropDestination d = destination(Optional.empty());
    String wire = "To: alice@example.org\r\n\r\nbody\r\n";
    HeaderFields h =
        HeaderFields.read(new ByteArrayInputStream(wire.getBytes(ISO_8859_1))).header();
    Incoming in =
        new Incoming(
            "domain",
            new Envelope("", "maildrop@pop.example.net"),
            TraceHeaders.NONE,
            h,
            MessageProgress.of(
                new DeliveryLedger() {
                  @Override
                  public Set<String> parts(AccountKey a, String u) throws java.io.IOException {
                    throw new java.io.IOException("disk error");
                  }

                  @Override
                  public void recordPart(AccountKey a, String u, String p) {}

                  @Override
                  public void forgetParts(AccountKey a, java.util.Collection<String> u) {}

                  @Override
                  public boolean delivered(String m, String r, java.time.Instant s) {
                    return false;
                  }

                  @Override
                  public void recordDelivered(String m, String r, java.time.Instant a) {}

                  @Override
                  public void purgeDelivered(java.time.Instant b) {}

                  @Override
                  public void close() {}
                },
                KEY,
                "1"));
    assertThatThrownBy(() -> d.stage(in, new ByteArrayInputStream(wire.getBytes(ISO_8859_1))))
        .isInstanceOf(DeliveryException.class)
        .hasMessageContaining("disk error");
    assertThat(messages("alice")).isEmpty();
  }
}
