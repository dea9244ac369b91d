package org.popfetch.delivery;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.popfetch.fetch.AccountPoll;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.FetchObserver;
import org.popfetch.fetch.FetchPolicy;
import org.popfetch.fetch.PollResult;
import org.popfetch.fetch.Pop3Account;
import org.popfetch.message.HeaderRewrite;
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

/**
 * The header switches through a whole poll, for every destination: a removed field goes whole, with
 * its folded lines; fields that only look like it stay; nothing else in the header or the body
 * changes, octet for octet, as each destination stores it.
 */
class HeaderSwitchesDeliveryTest {
  /** The message as the server sends it, one line per element (CRLF on the wire). */
  static final List<String> WIRE =
      List.of(
          "Return-Path: <a@example.org>",
          "Delivered-To: box@example.net",
          "Received: from mx.example.net by pop.example.net;",
          "\tMon, 30 Nov 2026 10:00:00 +0000",
          "Delivered-To: folded@example.net,",
          " second@example.net",
          "X-Delivered-To: keep@example.org",
          "Status: RO",
          "Subject: Status: RO in a subject",
          "X-Note: one",
          " Status: RO",
          "\tDelivered-To: still part of the note",
          "X-Status: A",
          "X-Mozilla-Status: 0001",
          "To: u@test",
          "",
          "Delivered-To: body@example.org",
          "Status: RO",
          "",
          "body");

  /** The same message as it should arrive with drop-delivered-to and drop-status. */
  static final List<String> DROPPED =
      List.of(
          "Return-Path: <a@example.org>",
          "Received: from mx.example.net by pop.example.net;",
          "\tMon, 30 Nov 2026 10:00:00 +0000",
          "X-Delivered-To: keep@example.org",
          "Subject: Status: RO in a subject",
          "X-Note: one",
          " Status: RO",
          "\tDelivered-To: still part of the note",
          "To: u@test",
          "",
          "Delivered-To: body@example.org",
          "Status: RO",
          "",
          "body");

  @TempDir Path dir;
  SqliteSeenUidStore store;

  @BeforeEach
  void open() throws IOException {
    store = SqliteSeenUidStore.open(dir.resolve("state.db"));
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  static byte[] crlf(List<String> lines) {
    return (String.join("\r\n", lines) + "\r\n").getBytes(ISO_8859_1);
  }

  static Stream<DestinationContractTest.Subject> everyDestination() {
    return Stream.of(
        DestinationContractTest.MAILDIR,
        DestinationContractTest.MBOX,
        DestinationContractTest.PIPE,
        DestinationContractTest.FORWARD,
        DestinationContractTest.ROUTED,
        DestinationContractTest.AGENT);
  }

  /** What {@code subject} stores of {@code wire} when no trace field is added. */
  static byte[] stored(DestinationContractTest.Subject subject, byte[] wire) {
    return subject == DestinationContractTest.FORWARD
        ? wire
        : DestinationContractTest.crlfToLf(wire);
  }

  private PollResult poll(DestinationContractTest.Subject subject, HeaderRewrite rewrite)
      throws Exception {
    byte[] wire = crlf(WIRE);
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
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
              c.send("+OK", "1 " + wire.length, ".");
              c.expect("UIDL");
              c.send("+OK", "1 uid-1", ".");
              c.expect("RETR 1");
              c.send("+OK");
              c.sendRaw(wire);
              c.send(".");
              c.expect("DELE 1");
              c.send("+OK");
              c.expect("QUIT");
              c.send("+OK");
            })) {
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
                  "test", settings, new Credentials.Password("u", "p"), AuthMethod.USER, "u@test")
              .withHeaders(rewrite);
      Destination destination = subject.open(dir);
      PollResult result =
          new AccountPoll(
                  account,
                  FetchPolicy.deleteMode(),
                  store,
                  destination,
                  new MaildirDestination(dir.resolve("quarantine"), "h"),
                  "h",
                  Clock.fixed(DestinationContractTest.WHEN, ZoneOffset.UTC),
                  FetchObserver.NONE,
                  ProtocolTrace.NONE)
              .run();
      server.awaitScript();
      return result;
    }
  }

  private void assertStored(DestinationContractTest.Subject subject, byte[] expected)
      throws Exception {
    List<byte[]> visible = subject.visible(dir);
    int copies = subject == DestinationContractTest.ROUTED ? 2 : 1;
    assertThat(visible).as("copies").hasSize(copies);
    for (byte[] copy : visible) {
      assertThat(new String(copy, ISO_8859_1))
          .as(subject.toString())
          .isEqualTo(new String(expected, ISO_8859_1));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyDestination")
  void droppedFieldsGoWholeAndNothingElseChanges(DestinationContractTest.Subject subject)
      throws Exception {
    PollResult result = poll(subject, new HeaderRewrite(false, false, true, true));
    assertThat(result.failure()).isEmpty();
    assertThat(result.deleted()).isEqualTo(1);
    assertStored(subject, stored(subject, crlf(DROPPED)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyDestination")
  void withoutTraceFieldsTheMessageArrivesAsItCame(DestinationContractTest.Subject subject)
      throws Exception {
    PollResult result = poll(subject, new HeaderRewrite(false, false, false, false));
    assertThat(result.failure()).isEmpty();
    assertStored(subject, stored(subject, crlf(WIRE)));
  }

  @Test
  void popfetchsOwnDeliveredToStaysWhenTheProvidersGoes() throws Exception {
    poll(DestinationContractTest.MAILDIR, new HeaderRewrite(true, true, true, false));
    String stored = new String(DestinationContractTest.MAILDIR.visible(dir).get(0), ISO_8859_1);
    String header = stored.substring(0, stored.indexOf("\n\n") + 1);
    assertThat(header)
        .startsWith("Received: from 127.0.0.1 by h with POP3 (popfetch)")
        .contains("\nDelivered-To: u@test\nReturn-Path: <a@example.org>\n")
        .doesNotContain("box@example.net")
        .doesNotContain("folded@example.net")
        .contains("\nStatus: RO\n");
  }

  @Test
  void onlyTheReceivedFieldCanBeLeftOut() throws Exception {
    poll(DestinationContractTest.MAILDIR, new HeaderRewrite(false, true, false, false));
    String stored = new String(DestinationContractTest.MAILDIR.visible(dir).get(0), ISO_8859_1);
    assertThat(stored)
        .isEqualTo(
            "Delivered-To: u@test\n"
                + new String(stored(DestinationContractTest.MAILDIR, crlf(WIRE)), ISO_8859_1));
  }
}
