package org.popfetch.fetch;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.pop3.Pop3Client;
import org.popfetch.pop3.Pop3Exception;
import org.popfetch.sasl.CredentialException;
import org.popfetch.sasl.Credentials;

/**
 * Counts what a poll would fetch, without fetching or deleting anything (as {@code fetchmail -c}).
 * Makes the same selection as {@link AccountPoll}.
 */
public final class AccountCheck {
  /**
   * What is on the server.
   *
   * @param messages messages on the server
   * @param octets their total size
   * @param fresh messages a poll would fetch now
   * @param freshOctets their total size
   * @param failure why the check failed, if it did
   * @param loginDelay the least time the server wants between logins (LOGIN-DELAY), if it said
   */
  public record Report(
      String account,
      int messages,
      long octets,
      int fresh,
      long freshOctets,
      Optional<PollFailure> failure,
      Optional<Duration> loginDelay) {
    /** A report without a word from the server on LOGIN-DELAY. */
    public Report(
        String account,
        int messages,
        long octets,
        int fresh,
        long freshOctets,
        Optional<PollFailure> failure) {
      this(account, messages, octets, fresh, freshOctets, failure, Optional.empty());
    }
  }

  private AccountCheck() {}

  public static Report run(
      Pop3Account account,
      FetchPolicy policy,
      SeenUidStore store,
      Clock clock,
      ProtocolTrace trace) {
    Credentials credentials;
    try {
      credentials = account.credentialSource().credentials();
    } catch (CredentialException e) {
      return new Report(account.name(), 0, 0, 0, 0, Optional.of(Failures.classify(e)));
    }
    try (Pop3Client client = Pop3Client.connect(account.settings(), trace)) {
      client.login(credentials, account.auth());
      Mailbox mailbox = Mailbox.read(client);
      Map<String, SeenUid> seen = mailbox.haveUidl() ? store.load(account.key()) : Map.of();
      Selection selection = mailbox.select(account.name(), seen, policy, clock.instant());
      client.quit();
      return new Report(
          account.name(),
          mailbox.listing().size(),
          mailbox.octets(),
          selection.fetch().size() + selection.waiting(),
          selection.fetchOctets() + selection.waitingOctets(),
          Optional.empty(),
          client.capabilitiesAfterLogin().flatMap(LoginDelay::of));
    } catch (Pop3Exception e) {
      return new Report(account.name(), 0, 0, 0, 0, Optional.of(Failures.classify(e)));
    } catch (IOException e) {
      return new Report(
          account.name(),
          0,
          0,
          0,
          0,
          Optional.of(new PollFailure(PollFailure.Kind.STORE, e.getMessage())));
    }
  }
}
