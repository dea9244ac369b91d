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
 * whose poll starts at once ({@link ParallelRun#startingAtOnce}), so that no session waits for a
 * thread or a server slot. Each account's poll ends its own when it ends; closing this ends any
 * left.
 */
final class SessionsAhead implements AutoCloseable {
  private final Map<String, SessionAhead> byAccount;

  private SessionsAhead(Map<String, SessionAhead> byAccount) {
    this.byAccount = byAccount;
  }

  /** Starts opening the sessions of those of {@code targets} whose polls start at once. */
  static SessionsAhead start(
      List<AccountRun.Target> targets, PopfetchConfig config, boolean trace) {
    SessionsAhead started = new SessionsAhead(new LinkedHashMap<>());
    try {
      for (AccountRun.Target t :
          ParallelRun.startingAtOnce(
              targets,
              config.parallel(),
              config.perServer(),
              AccountRun.Target::server,
              AccountRun.Target::port)) {
        started.byAccount.put(
            t.name(), SessionAhead.start(t.account(), PollWiring.trace(t, trace)));
      }
    } catch (RuntimeException | Error e) {
      // No thread for one (out of memory, say): those already on their way are ended.
      started.close();
      throw e;
    }
    return started;
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
