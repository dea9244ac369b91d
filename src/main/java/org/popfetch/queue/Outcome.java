package org.popfetch.queue;

import org.popfetch.smtp.SmtpReply;

/** What one attempt made of one recipient of a queued message. */
sealed interface Outcome {
  /** The server took responsibility (2yz): the recipient is done. */
  record Delivered(SmtpReply reply) implements Outcome {}

  /** Try again later: a 4yz reply, a failed connection, a DNS failure; the words for the log. */
  record Deferred(String reason) implements Outcome {}

  /** Refused for good: the recipient is bounced with this RFC 3463 status and diagnostic. */
  record Bounced(String status, String diagnostic) implements Outcome {}

  /** The outcome a server's reply means: 2yz delivered, 5yz bounced, anything else deferred. */
  static Outcome of(SmtpReply reply) {
    if (reply.isPositive()) {
      return new Delivered(reply);
    }
    if (reply.isPermanent()) {
      return new Bounced(reply.enhancedCode().orElse("5.0.0"), reply.toString());
    }
    return new Deferred(reply.toString());
  }
}
