package org.popfetch.fetch;

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
 */
public record PollResult(
    String account,
    int onServer,
    int fetched,
    long octets,
    int deleted,
    int oversize,
    int quarantined,
    Optional<PollFailure> failure) {
  public boolean succeeded() {
    return failure.isEmpty();
  }
}
