package org.popfetch.app;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.fetch.SessionAhead;
import org.popfetch.schedule.ParallelRun;

/**
 * The sessions a one-shot {@code poll} opens ahead ({@link SessionAhead}): one for each account
 * whose poll starts at once, so that no session waits for a thread or a server slot. Those no poll
 * took end when this closes.
 */
final class SessionsAhead implements AutoCloseable {
  private final Map<String, SessionAhead> byAccount;

  private SessionsAhead(Map<String, SessionAhead> byAccount) {
    this.byAccount = byAccount;
  }

  /** Starts opening the sessions of those of {@code targets} whose polls start at once. */
  static SessionsAhead start(
      List<AccountRun.Target> targets, PopfetchConfig config, boolean trace) {
    Map<String, SessionAhead> byAccount = new LinkedHashMap<>();
    for (AccountRun.Target t :
        ParallelRun.startingAtOnce(
            targets,
            config.parallel(),
            config.perServer(),
            AccountRun.Target::server,
            AccountRun.Target::port)) {
      byAccount.put(t.name(), SessionAhead.start(t.account(), PollWiring.trace(t, trace)));
    }
    return new SessionsAhead(byAccount);
  }

  /** The session opened ahead for {@code target}'s poll, if one was. */
  Optional<SessionAhead> of(AccountRun.Target target) {
    return Optional.ofNullable(byAccount.get(target.name()));
  }

  @Override
  public void close() {
    byAccount.values().forEach(SessionAhead::close);
  }
}
