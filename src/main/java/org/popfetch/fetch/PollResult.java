package org.popfetch.fetch;

import java.time.Duration;
import java.util.Optional;

/**
 * What one poll of one account did.
 *
 * @param account the account's name
 * @param onServer messages in the server's listing
 * @param fetched messages delivered in this poll
 * @param octets their size on the wire
 * @param deleted messages whose deletion the server confirmed (QUIT +OK)
 * @param oversize messages left on the server for being larger than max-size
 * @param quarantined messages the destination refused for good, kept in the quarantine Maildir
 * @param failure why the poll ended early, if it did
 * @param loginDelay the least time the server wants between logins (its LOGIN-DELAY), if it said
 */
public record PollResult(
    String account,
    int onServer,
    int fetched,
    long octets,
    int deleted,
    int oversize,
    int quarantined,
    Optional<PollFailure> failure,
    Optional<Duration> loginDelay) {
  /** A result without a word from the server on LOGIN-DELAY. */
  public PollResult(
      String account,
      int onServer,
      int fetched,
      long octets,
      int deleted,
      int oversize,
      int quarantined,
      Optional<PollFailure> failure) {
    this(
        account,
        onServer,
        fetched,
        octets,
        deleted,
        oversize,
        quarantined,
        failure,
        Optional.empty());
  }

  public boolean succeeded() {
    return failure.isEmpty();
  }
}
