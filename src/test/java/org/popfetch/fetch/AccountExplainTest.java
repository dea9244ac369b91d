package org.popfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.delivery.FieldMatch;
import org.popfetch.delivery.MaildirDestination;
import org.popfetch.delivery.RoutedDestination;
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
 * explain makes a poll's decisions from LIST, UIDL, the state and TOP, and sends nothing that
 * changes the mailbox: the script accepts no RETR, DELE or RSET, and the state is only read.
 */
class AccountExplainTest {
  @TempDir Path dir;

  @Test
  void aMixedMailboxIsExplainedWithoutRetrievingOrDeletingAnything() throws Exception {
    Instant now = Instant.now();
    ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("+OK ready");
              c.expect("CAPA");
              c.send("+OK", "USER", "UIDL", "TOP", ".");
              c.expect("USER u");
              c.send("+OK");
              c.expect("PASS p");
              c.send("+OK");
              c.expect("CAPA");
              c.send("+OK", "USER", "UIDL", "TOP", ".");
              c.expect("LIST");
              c.send("+OK", "1 300", "2 300", "3 300", "4 90000", ".");
              c.expect("UIDL");
              c.send("+OK", "1 kept", "2 new-mail", "3 new-spam", "4 new-big", ".");
              c.expect("TOP 2 0");
              c.send("+OK", "From: <friend@example.org>", "Subject: hello", "", ".");
              c.expect("TOP 3 0");
              c.send("+OK", "From: <spam@example.net>", "X-Spam-Flag: YES", "", ".");
              c.expect("QUIT");
              c.send("+OK");
            });
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
        new Pop3Account("x", settings, new Credentials.Password("u", "p"), AuthMethod.USER, "u@t");
    Path state = dir.resolve("state.db");
    try (SeenUidStore writer = SqliteSeenUidStore.open(state)) {
      writer.record(
          account.key(), List.of(new SeenUid("kept", UidState.KEPT, now.minusSeconds(3600), 300)));
    }
    RoutedDestination rules =
        new RoutedDestination(
            List.of(
                new RoutedDestination.Rule(
                    new FieldMatch(
                        FieldMatch.Source.HEADER, "X-Spam-Flag", FieldMatch.Kind.IS, "YES"),
                    List.of(),
                    RoutedDestination.Disposition.DELETE,
                    "spam")),
            new MaildirDestination(dir.resolve("Maildir"), "h"),
            dir.resolve("spool"),
            "h");
    FetchPolicy policy =
        new FetchPolicy(
            true,
            Optional.of(Duration.ofDays(7)),
            OptionalLong.of(10_000),
            OptionalInt.empty(),
            200,
            1 << 20,
            OversizeAction.LEAVE);
    AccountExplain.Report report;
    try (SeenUidStore reader = SqliteSeenUidStore.openReadOnly(state)) {
      report =
          AccountExplain.run(account, policy, rules, reader, Clock.systemUTC(), ProtocolTrace.NONE);
    }
    server.close(); // rethrows a command the script did not expect
    assertThat(report.failure()).isEmpty();
    assertThat(report.top()).isTrue();
    assertThat(report.decisions())
        .extracting(Decision::uid, Decision::seen, Decision::action, Decision::rule)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "kept", Decision.Seen.KEPT, Decision.Action.KEEP, ""),
            org.assertj.core.groups.Tuple.tuple(
                "new-mail", Decision.Seen.NEW, Decision.Action.FETCH, ""),
            org.assertj.core.groups.Tuple.tuple(
                "new-spam", Decision.Seen.NEW, Decision.Action.DELETE, "spam"),
            org.assertj.core.groups.Tuple.tuple(
                "new-big", Decision.Seen.NEW, Decision.Action.OVERSIZE_LEAVE, ""));
    Decision kept = report.decisions().get(0);
    assertThat(kept.deleteAt()).isPresent();
    assertThat(kept.deleteAt().get()).isAfter(now.plus(Duration.ofDays(6)));
    Decision mail = report.decisions().get(1);
    assertThat(mail.sender()).contains("friend@example.org");
    assertThat(mail.subject()).contains("hello");
    assertThat(mail.recipients()).containsExactly("u@t");
    assertThat(mail.destinations()).containsExactly("maildir " + dir.resolve("Maildir"));
    // Nothing recorded: the state still has the one entry it had.
    try (SeenUidStore reader = SqliteSeenUidStore.openReadOnly(state)) {
      Map<String, SeenUid> after = reader.load(account.key());
      assertThat(after).containsOnlyKeys("kept");
    }
  }
}
