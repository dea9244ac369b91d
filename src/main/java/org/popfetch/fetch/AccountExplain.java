package org.popfetch.fetch;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.pop3.Pop3Client;
import org.popfetch.pop3.Pop3Exception;
import org.popfetch.sasl.CredentialException;
import org.popfetch.sasl.Credentials;

/**
 * What a poll would do with each message of an account, without doing it ({@code popfetch
 * explain}): the same selection ({@link Selection}) and the same decisions before download ({@link
 * PreDownload}, the account's {@link MessageRules}) as {@link AccountPoll}, from LIST, UIDL and the
 * header of each message a poll would fetch (TOP), and nothing carried out.
 *
 * <p>Nothing changes on the server: no DELE, no RETR, and the session ends with QUIT, which then
 * deletes nothing; on a server that says EXPIRE 0 (it deletes at QUIT what was retrieved) it ends
 * without QUIT, in case that server counts TOP as retrieval. Nothing changes in the state: the
 * store is only read.
 */
public final class AccountExplain {
  /**
   * What a poll would do.
   *
   * @param top whether the server answered TOP (without it, rules decide at retrieval, and a
   *     message a poll would fetch has no recipients or destinations here)
   * @param decisions one per message of the listing, in server order
   * @param failure why the explanation could not be had, if it could not
   */
  public record Report(
      String account, boolean top, List<Decision> decisions, Optional<PollFailure> failure) {
    public Report {
      decisions = List.copyOf(decisions);
    }

    static Report failed(String account, PollFailure failure) {
      return new Report(account, false, List.of(), Optional.of(failure));
    }
  }

  private AccountExplain() {}

  /**
   * Connects, logs in, reads LIST, UIDL and the headers the decisions need, and leaves.
   *
   * @param store read only: {@link SeenUidStore#load}
   */
  public static Report run(
      Pop3Account account,
      FetchPolicy policy,
      MessageRules rules,
      SeenUidStore store,
      Clock clock,
      ProtocolTrace trace) {
    Credentials credentials;
    try {
      credentials = account.credentialSource().credentials();
    } catch (CredentialException e) {
      return Report.failed(account.name(), Failures.classify(e));
    }
    try (Pop3Client client = Pop3Client.connect(account.settings(), trace)) {
      client.login(credentials, account.auth());
      Mailbox mailbox = Mailbox.read(client);
      Map<String, SeenUid> seen = mailbox.haveUidl() ? store.load(account.key()) : Map.of();
      Selection selection = mailbox.select(account.name(), seen, policy, clock.instant(), true);
      PreDownload pre = new PreDownload(account, rules, client, seen, clock.instant());
      PreDownload.Plan plan = pre.plan(selection, true);
      if (client.capabilities().expire().map(e -> e.equals("0")).orElse(false)) {
        client.close(); // no UPDATE state at all: nothing of this session can be expunged
      } else {
        client.quit(); // no DELE was sent, so the UPDATE state deletes nothing
      }
      return new Report(account.name(), pre.topWorks(), plan.decisions(), Optional.empty());
    } catch (Pop3Exception e) {
      return Report.failed(account.name(), Failures.classify(e));
    } catch (IOException e) {
      return Report.failed(account.name(), new PollFailure(PollFailure.Kind.STORE, e.getMessage()));
    }
  }
}
