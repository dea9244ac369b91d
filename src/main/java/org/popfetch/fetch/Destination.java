package org.popfetch.fetch;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where fetched messages go, in two steps so that durability can be a group commit: {@link #stage}
 * writes one message where nobody sees it yet, {@link #commit} makes a batch of staged messages
 * durable and visible at once.
 *
 * <p>Only after {@code commit} returns may the fetch pass record the UIDs and send DELE.
 */
public interface Destination {
  /** For logs: "maildir /home/alice/Maildir". */
  String describe();

  /**
   * Takes one message: the trace headers, then the message as it came off the wire (CRLF line ends,
   * dot-unstuffed). Where the destination can, nothing is visible to readers before {@link
   * #commit}; a program (pipe) has the message when this returns.
   *
   * @throws DeliveryException if the message cannot be taken; its {@link
   *     DeliveryException#refusal()} is {@link Outcome.Deferred} (disk full, MDA exit 75) or {@link
   *     Outcome.Rejected} (the MDA refused it, with the message rescued for quarantine; a link
   *     where a mailbox should be, with nothing rescued). The caller turns it into the {@link
   *     Outcome} of the attempt.
   */
  Staged stage(Incoming message, InputStream wireBody) throws DeliveryException;

  /**
   * Makes the staged messages durable and visible. On return every one of them is delivered; on an
   * exception (deferred or rejected alike) none is guaranteed to be, and the caller must not delete
   * any from the server.
   */
  void commit(List<Staged> batch) throws DeliveryException;

  /** Throws staged messages away (the poll failed before their commit). Never throws. */
  void discard(List<Staged> batch);

  /**
   * Says how many messages the next batch may {@link #stage}, before its first: a destination may
   * prepare for them (a Maildir makes their tmp/ files ahead, on another thread). Fewer may come;
   * what was prepared for those is undone by the batch's commit or discard. {@code expect(0)} after
   * the retrieval withdraws a count no staging used. Nothing by default; destinations that route to
   * others (rules, the agent, multidrop) do not pass it on.
   */
  default void expect(int messages) {}

  /**
   * Ends the staging of this batch and hands back its commit, which may then run on another thread
   * while the next batch is staged: how the commit of one batch overlaps the retrieval of the next.
   * The returned commit is run once; it does what {@link #commit} does, with the same errors, and
   * after it fails {@link #discard} of the batch is still called. Empty if this destination cannot
   * commit and stage at once; then nothing has changed and {@link #commit} is called instead.
   */
  default Optional<Commit> detach(List<Staged> batch) {
    return Optional.empty();
  }

  /** The commit of a detached batch. */
  @FunctionalInterface
  interface Commit {
    /**
     * As {@link Destination#commit}: on return the batch is delivered; on an exception, none is.
     */
    void run() throws DeliveryException;
  }

  /** A message written but not yet committed. */
  interface Staged {
    /** Octets written, after line-end conversion. */
    long size();
  }
}
