package org.popfetch.fetch;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.pop3.Pop3Client;
import org.popfetch.pop3.Pop3Exception;
import org.popfetch.sasl.CredentialException;
import org.popfetch.sasl.Credentials;

/**
 * An account's POP3 session opened on a thread of its own before the poll that will use it is set
 * up: the credentials, the connection, TLS and the login. A server that reads the maildrop once the
 * login succeeds (Dovecot syncs a Maildir then: 60-120 ms for 20,000 messages, before it answers
 * the first command) works on it while this process builds the destination and opens its state,
 * instead of after. For the one-shot {@code poll}, whose set-up comes at every start.
 *
 * <p>Nothing is asked of the mailbox ahead, let alone retrieved or marked for deletion: a session
 * no poll takes (the state store did not open, the destination could not be set up) ends with QUIT
 * and leaves the server as it was.
 */
public final class SessionAhead implements AutoCloseable {
  private final FutureTask<Pop3Client> opening;
  private final AtomicBoolean taken = new AtomicBoolean();

  private SessionAhead(FutureTask<Pop3Client> opening) {
    this.opening = opening;
  }

  /** Starts opening {@code account}'s session, its protocol written to {@code trace}. */
  public static SessionAhead start(Pop3Account account, ProtocolTrace trace) {
    FutureTask<Pop3Client> opening =
        new FutureTask<>(
            // The credentials first: a secret that cannot be had costs the server nothing.
            () -> loggedIn(account, account.credentialSource().credentials(), trace));
    Thread thread = new Thread(opening, "session-ahead");
    // The process's end does not wait for a server that is slow to answer.
    thread.setDaemon(true);
    thread.start();
    return new SessionAhead(opening);
  }

  /** Connects and logs in with {@code credentials}; the session is closed if the login fails. */
  static Pop3Client loggedIn(Pop3Account account, Credentials credentials, ProtocolTrace trace)
      throws Pop3Exception {
    Pop3Client client = Pop3Client.connect(account.settings(), trace);
    try {
      client.login(credentials, account.auth());
    } catch (Pop3Exception | RuntimeException e) {
      client.close();
      throw e;
    }
    return client;
  }

  /**
   * The session, once open and logged in; the caller owns it from here. Whatever failed while it
   * opened is thrown here as it was thrown there. Waits for the opening, which the account's
   * timeouts bound, even if interrupted (the interrupt is kept for the caller).
   *
   * @throws IllegalStateException if it was taken or closed already
   */
  public Pop3Client take() throws CredentialException, Pop3Exception {
    if (!taken.compareAndSet(false, true)) {
      throw new IllegalStateException("the session opened ahead was taken or closed already");
    }
    try {
      return opened();
    } catch (ExecutionException e) {
      // Thrown as the poll would have thrown it opening the session itself, and so classified
      // alike; anything else is a bug (an internal error), not a store's or a server's failure.
      Throwable cause = e.getCause();
      if (cause instanceof CredentialException c) {
        throw c;
      }
      if (cause instanceof Pop3Exception p) {
        throw p;
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error r) {
        throw r;
      }
      throw new IllegalStateException("opening the session failed", cause);
    }
  }

  /**
   * Ends the session if no poll took it, with QUIT once it is open: nothing was asked of the
   * mailbox in it, so the server deletes nothing. Waits for an opening under way, as {@link #take}
   * does. Does nothing once the session was taken, or closed.
   */
  @Override
  public void close() {
    if (!taken.compareAndSet(false, true)) {
      return;
    }
    try {
      AccountPoll.quitQuietly(opened());
    } catch (ExecutionException e) {
      // It did not open: nothing to end.
    }
  }

  private Pop3Client opened() throws ExecutionException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return opening.get();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
