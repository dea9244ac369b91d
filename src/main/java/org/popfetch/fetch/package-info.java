/**
 * One poll of one account, in the order that keeps the promise: stream each new message to its
 * destination, make a batch durable, record the batch's UIDs as seen, then DELE, then QUIT. A crash
 * or a cut anywhere in between leaves the mail on the server (a duplicate at worst, never a loss).
 * {@link org.popfetch.fetch.AccountPoll} runs the session, {@link org.popfetch.fetch.BatchDelivery}
 * each batch; every attempt at a message ends in an {@link org.popfetch.fetch.Outcome}. In keep
 * mode {@link org.popfetch.fetch.ListingShortcut} lists only what follows the messages kept before,
 * where the last poll's {@link org.popfetch.fetch.ListingMark} shows they are unchanged.
 *
 * <p>Owns the interfaces its collaborators implement: {@link org.popfetch.fetch.SeenUidStore},
 * {@link org.popfetch.fetch.Destination}, {@link org.popfetch.fetch.FetchObserver}. Depends on
 * {@code pop3} and {@code message} (and the {@code net} and {@code sasl} types they use); knows
 * nothing of YAML, Quartz or Micrometer.
 */
package org.popfetch.fetch;
