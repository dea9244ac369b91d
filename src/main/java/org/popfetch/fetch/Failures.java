package org.popfetch.fetch;

import org.popfetch.pop3.Pop3ErrorException;
import org.popfetch.pop3.Pop3Exception;
import org.popfetch.pop3.Pop3ProtocolException;
import org.popfetch.pop3.Pop3SecurityException;
import org.popfetch.pop3.ResponseCondition;
import org.popfetch.sasl.CredentialException;

/** Turns the POP3 client's exceptions, and a secret that cannot be had, into poll failures. */
final class Failures {
  private Failures() {}

  static PollFailure classify(Pop3Exception e) {
    PollFailure.Kind kind;
    if (e instanceof Pop3ErrorException err) {
      ResponseCondition c = err.condition();
      if (c == ResponseCondition.AUTH) {
        kind = PollFailure.Kind.AUTH;
      } else if (c.isTransient()) {
        kind = PollFailure.Kind.SERVER_BUSY;
      } else if (isLogin(err)) {
        // A bare -ERR to a login command most often means bad credentials.
        kind = PollFailure.Kind.AUTH;
      } else {
        kind = PollFailure.Kind.SERVER_ERROR;
      }
    } else if (e instanceof Pop3SecurityException) {
      kind = PollFailure.Kind.SECURITY;
    } else if (e instanceof Pop3ProtocolException) {
      kind = PollFailure.Kind.PROTOCOL;
    } else {
      kind = PollFailure.Kind.CONNECT;
    }
    return new PollFailure(kind, e.getMessage());
  }

  /**
   * A secret that cannot be had fails the poll, not the service, and is asked for again at the next
   * one; it is not a refused login (no rest, no notice) unless the authority behind it refused the
   * credentials for good.
   */
  static PollFailure classify(CredentialException e) {
    return new PollFailure(
        e.refused() ? PollFailure.Kind.AUTH : PollFailure.Kind.CREDENTIALS,
        e.getMessage(),
        e.awaitsAuthorization());
  }

  private static boolean isLogin(Pop3ErrorException e) {
    String c = e.command();
    return c.startsWith("PASS")
        || c.startsWith("USER")
        || c.startsWith("AUTH")
        || c.startsWith("APOP");
  }
}
