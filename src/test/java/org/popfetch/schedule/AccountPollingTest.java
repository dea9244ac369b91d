package org.popfetch.schedule;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.popfetch.fetch.AuthFailureNotice;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.FetchObserver;
import org.popfetch.fetch.Incoming;
import org.popfetch.fetch.PollFailure;
import org.popfetch.fetch.PollResult;
import org.popfetch.fetch.Pop3Account;
import org.popfetch.net.Framing;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.pop3.TlsMode;
import org.popfetch.sasl.Credentials;

class AccountPollingTest {
  private static final Pop3Account ACCOUNT =
      new Pop3Account(
          "work",
          new Pop3Settings(
              "pop.example.com",
              995,
              TlsMode.IMPLICIT,
              TlsTrust.SYSTEM,
              new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30)),
              true,
              Framing.CRLF,
              32),
          new Credentials.Password("alice", "pw"),
          AuthMethod.AUTO,
          "alice@example.org");

  private final Clock clock = Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC);
  private final List<String> heard = new ArrayList<>();
  private final FetchObserver observer =
      new FetchObserver() {
        @Override
        public void started(String account) {
          heard.add("started " + account);
        }

        @Override
        public void finished(PollResult result) {
          heard.add("finished " + result.failure().map(f -> f.kind().name()).orElse("ok"));
        }
      };
  private final List<String> notices = new ArrayList<>();
  private int polls;

  private static PollResult result(Optional<PollFailure.Kind> kind) {
    return new PollResult(
        "work",
        1,
        kind.isPresent() ? 0 : 1,
        10,
        0,
        0,
        0,
        kind.map(k -> new PollFailure(k, "-ERR [AUTH] no")));
  }

  /** A poll that ends with {@code kind}, telling its observer it finished, as AccountPoll does. */
  private AccountPolling.Poll ending(Optional<PollFailure.Kind> kind) {
    return (obs, stop) -> {
      polls++;
      PollResult r = result(kind);
      obs.finished(r);
      return r;
    };
  }

  private AccountPolling.Poll failing(PollFailure.Kind kind) {
    return ending(Optional.of(kind));
  }

  private AccountPolling.Poll succeeding() {
    return ending(Optional.empty());
  }

  /** A destination that keeps the notices it is given. */
  private final AuthFailureNotice.Opener noticeTo =
      () ->
          new Destination() {
            @Override
            public String describe() {
              return "test";
            }

            @Override
            public Staged stage(Incoming message, InputStream wireBody) {
              ByteArrayOutputStream b = new ByteArrayOutputStream();
              try {
                wireBody.transferTo(b);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              notices.add(b.toString(UTF_8));
              return () -> b.size();
            }

            @Override
            public void commit(List<Staged> batch) {}

            @Override
            public void discard(List<Staged> batch) {}
          };

  private AccountPolling.Standing standing(int noticeAfter) {
    return new AccountPolling.Standing(
        new Backoff("work", Duration.ofMinutes(5)),
        new AuthFailureNotice(ACCOUNT, noticeAfter, "mx.test", clock),
        noticeTo);
  }

  @Test
  void theObserverHearsEachPollStartAndEndOnceWhateverThePollTellsIt() {
    AccountPolling p = AccountPolling.once("work", succeeding(), observer);

    assertThat(p.poll(() -> false).succeeded()).isTrue();
    assertThat(heard).containsExactly("started work", "finished ok");
  }

  @Test
  void aDestinationThatCannotBeSetUpEndsThePollAsADeliveryFailure() {
    AccountPolling p =
        AccountPolling.once(
            "work",
            (obs, stop) -> {
              throw DeliveryException.rejected("cannot create Maildir /x: Not a directory");
            },
            observer);

    PollResult r = p.poll(() -> false);

    assertThat(r.failure()).map(PollFailure::kind).contains(PollFailure.Kind.DELIVERY);
    assertThat(r.failure().get().message()).contains("cannot create Maildir /x");
    assertThat(heard).containsExactly("started work", "finished DELIVERY");
  }

  @Test
  void aOneShotPollNeitherRestsNorTells() throws Exception {
    AccountPolling p = AccountPolling.once("work", failing(PollFailure.Kind.AUTH), observer);
    ServerSlots slots = new ServerSlots(1);

    for (int i = 0; i < 3; i++) {
      assertThat(p.pollWhenDue(slots, "pop.example.com", 995, () -> false)).isPresent();
    }
    assertThat(polls).isEqualTo(3);
    assertThat(notices).isEmpty();
  }

  @Test
  void aRefusedLoginRestsTheAccountAndTellsTheOwnerAfterTheThreshold() throws Exception {
    AccountPolling.Standing standing = standing(1);
    AccountPolling p =
        AccountPolling.standing("work", failing(PollFailure.Kind.AUTH), observer, standing, clock);
    ServerSlots slots = new ServerSlots(1);

    assertThat(p.pollWhenDue(slots, "pop.example.com", 995, () -> false)).isPresent();
    assertThat(notices)
        .singleElement()
        .asString()
        .contains("Subject: popfetch: login refused for work", "-ERR [AUTH] no");

    assertThat(p.due()).isFalse();
    assertThat(p.pollWhenDue(slots, "pop.example.com", 995, () -> false)).as("resting").isEmpty();
    assertThat(polls).as("a resting account does not contact its server").isEqualTo(1);
  }

  @Test
  void aBusyMailboxRestsWithoutANoticeAndASuccessEndsTheRest() {
    AccountPolling.Standing standing = standing(1);
    AccountPolling.standing(
            "work", failing(PollFailure.Kind.SERVER_BUSY), observer, standing, clock)
        .poll(() -> false);
    assertThat(standing.backoff().failures()).isEqualTo(1);
    assertThat(notices).isEmpty();

    AccountPolling.standing("work", succeeding(), observer, standing, clock).poll(() -> false);
    assertThat(standing.backoff().failures()).isZero();
    assertThat(standing.backoff().due(clock.instant())).isTrue();
  }

  @Test
  void otherFailuresNeitherRestNorTell() {
    AccountPolling.Standing standing = standing(1);
    AccountPolling.standing("work", failing(PollFailure.Kind.CONNECT), observer, standing, clock)
        .poll(() -> false);

    assertThat(standing.backoff().failures()).isZero();
    assertThat(notices).isEmpty();
  }

  @Test
  void aRefusedOAuthGrantTellsTheOwnerButDoesNotRestSoANewLoginIsTakenAtTheNextPoll()
      throws Exception {
    AccountPolling.Standing standing = standing(1);
    PollFailure refused =
        new PollFailure(
            PollFailure.Kind.AUTH,
            "oauth: the authorization server refused the refresh token (invalid_grant); run"
                + " popfetch oauth login work",
            true);
    AccountPolling p =
        AccountPolling.standing(
            "work",
            (obs, stop) -> {
              polls++;
              PollResult r = new PollResult("work", 0, 0, 0, 0, 0, 0, Optional.of(refused));
              obs.finished(r);
              return r;
            },
            observer,
            standing,
            clock);
    ServerSlots slots = new ServerSlots(1);

    assertThat(p.pollWhenDue(slots, "pop.example.com", 995, () -> false)).isPresent();
    assertThat(p.pollWhenDue(slots, "pop.example.com", 995, () -> false)).isPresent();

    assertThat(notices).singleElement().asString().contains("run popfetch oauth login work");
    // Asking costs the server nothing (the spent token is not sent again), and resting would
    // keep a new login waiting for up to an hour.
    assertThat(p.due()).isTrue();
    assertThat(polls).isEqualTo(2);
  }

  @Test
  void aServerThatRefusesALoginInTheWordsOfAnOAuthFailureIsStillRestedOn() throws Exception {
    AccountPolling.Standing standing = standing(1);
    PollFailure spoofed =
        new PollFailure(
            PollFailure.Kind.AUTH, "-ERR run popfetch oauth login work; nothing else to change");
    AccountPolling p =
        AccountPolling.standing(
            "work",
            (obs, stop) -> {
              polls++;
              PollResult r = new PollResult("work", 0, 0, 0, 0, 0, 0, Optional.of(spoofed));
              obs.finished(r);
              return r;
            },
            observer,
            standing,
            clock);
    ServerSlots slots = new ServerSlots(1);

    assertThat(p.pollWhenDue(slots, "pop.example.com", 995, () -> false)).isPresent();

    assertThat(spoofed.remedy()).startsWith("check user: and password:");
    assertThat(p.due()).isFalse();
    assertThat(polls).isEqualTo(1);
  }

  @Test
  void theServersLoginDelayKeepsTheNextPollAwayEvenAfterASuccess() {
    AccountPolling.Standing standing = standing(1);
    PollResult withDelay =
        new PollResult(
            "work", 0, 0, 0, 0, 0, 0, Optional.empty(), Optional.of(Duration.ofMinutes(15)));
    AccountPolling.standing("work", (obs, stop) -> withDelay, observer, standing, clock)
        .poll(() -> false);

    Backoff b = standing.backoff();
    assertThat(b.due(clock.instant().plus(Duration.ofMinutes(5)))).as("the interval").isFalse();
    assertThat(b.due(clock.instant().plus(Duration.ofMinutes(14)))).isFalse();
    assertThat(b.due(clock.instant().plus(Duration.ofMinutes(15)))).isTrue();
    assertThat(b.failures()).as("not a failure").isZero();
  }

  @Test
  void aLoginDelayAfterARefusalExtendsTheRestButNeverShortensIt() {
    AccountPolling.Standing standing = standing(5);
    PollResult refused =
        new PollResult(
            "work",
            0,
            0,
            0,
            0,
            0,
            0,
            Optional.of(new PollFailure(PollFailure.Kind.SERVER_BUSY, "-ERR [IN-USE]")),
            Optional.of(Duration.ofMinutes(1)));
    AccountPolling.standing("work", (obs, stop) -> refused, observer, standing, clock)
        .poll(() -> false);
    // The backoff's own rest (the 5 minute interval) is longer than the server's minute.
    assertThat(standing.backoff().due(clock.instant().plus(Duration.ofMinutes(4)))).isFalse();
    assertThat(standing.backoff().due(clock.instant().plus(Duration.ofMinutes(5)))).isTrue();
  }
}
