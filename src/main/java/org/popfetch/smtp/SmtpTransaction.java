package org.popfetch.smtp;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** The outcome of one message, recipient by recipient. */
public record SmtpTransaction(Map<String, SmtpReply> replies) {
  /** Recipients the server took responsibility for (2yz). */
  public List<String> delivered() {
    return where(SmtpReply::isPositive);
  }

  /** Recipients to try again later (4yz). */
  public List<String> deferred() {
    return where(SmtpReply::isTransient);
  }

  /** Recipients refused for good (5yz). */
  public List<String> refused() {
    return where(SmtpReply::isPermanent);
  }

  private List<String> where(Predicate<SmtpReply> test) {
    return replies.entrySet().stream()
        .filter(e -> test.test(e.getValue()))
        .map(Map.Entry::getKey)
        .toList();
  }
}
