package org.popfetch.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.popfetch.config.ConfigException;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.control.ControlRequest;
import org.popfetch.fetch.FetchObserver;
import org.popfetch.fetch.PollFailure;
import org.popfetch.fetch.PollResult;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.fetch.SessionAhead;
import org.popfetch.net.LogText;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.queue.MailQueue;
import org.popfetch.queue.QueueRunner;
import org.popfetch.schedule.AccountPolling;
import org.popfetch.schedule.ParallelRun;
import org.popfetch.store.OpeningSeenUidStore;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.store.StateLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code popfetch poll [ACCOUNT...]}: one pass over the accounts, then exit; done by the running
 * service if one answers on the control socket.
 */
@Command(
    name = "poll",
    description = {
      "Fetch new mail from every account (or those named) once, deliver it, and exit. If the"
          + " service (popfetch run) is running, it polls now and this prints its results."
    },
    exitCodeListHeading =
        "%nExit status (with several accounts: that of the first account, in"
            + " config order, that failed, else 0 or 1):%n",
    exitCodeList = {
      " 0:mail fetched",
      " 1:no new mail",
      " 2:connection or TLS error",
      " 3:login refused",
      " 4:protocol error",
      " 5:configuration error",
      " 6:secrets readable by others",
      " 7:server error",
      " 8:another popfetch is polling with the same state (and answers no commands: an old"
          + " version, or one this user may not reach)",
      " 9:mailbox busy",
      "10:delivery error (also: a mailbox reached through a symbolic link another user could"
          + " have planted, refused)",
      "23:internal error (also: the state or queue directory cannot be created or written, out"
          + " of memory)",
      "64:usage error (an unknown option or command, a missing argument)"
    })
final class PollCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(PollCommand.class);

  @Spec CommandSpec spec;
  @Mixin CommonOptions options;

  /** Its standard output and error when bound without picocli ({@link CommandWords}). */
  PrintWriter out;

  PrintWriter err;

  @Option(
      names = {"-q", "--quiet"},
      description =
          "Say nothing unless something failed (for cron): no progress, no summary lines;"
              + " warnings and errors still go to standard error.")
  boolean quiet;

  /** How the state store is opened: a test may hold it back. */
  StateOpener opener = SqliteSeenUidStore::open;

  /** Opens (creating if needed) the state store in a file. */
  @FunctionalInterface
  interface StateOpener {
    SeenUidStore open(Path file) throws IOException;
  }

  @Parameters(
      paramLabel = "ACCOUNT",
      arity = "0..*",
      description = "Accounts to poll (default: all).")
  List<String> accounts;

  /** Standard output: its own, or picocli's. */
  PrintWriter out() {
    return out != null ? out : spec.commandLine().getOut();
  }

  /** Standard error: its own, or picocli's. */
  PrintWriter err() {
    return err != null ? err : spec.commandLine().getErr();
  }

  @Override
  public Integer call() throws Exception {
    if (!quiet) {
      return poll();
    }
    try (QuietLog q = QuietLog.start()) {
      return poll();
    }
  }

  private int poll() throws Exception {
    PrintWriter err = err();
    AccountRun.Plan plan;
    try {
      // A running service polls now and answers with each account's result; without one, this
      // process polls itself. The file is read once for both, unless it fails a check: then it
      // is read for the socket alone (the service checks its own reading) and the failure is
      // said when this process would poll.
      Optional<PopfetchConfig> checked = AccountRun.loadChecked(options.config);
      Path socket =
          checked.isPresent()
              ? checked.get().controlSocket()
              : ServiceClient.socket(options.config, err);
      Optional<Integer> served =
          ServiceClient.askAt(
              socket,
              ControlRequest.of("poll", accounts),
              ServiceClient.LONG,
              // Quiet: the service's result lines are dropped, its failure lines still shown.
              quiet ? new PrintWriter(Writer.nullWriter()) : out(),
              err);
      if (served.isPresent()) {
        if (options.trace) {
          err.println(
              "popfetch: the running service polled, with its own settings; --trace works when"
                  + " no service runs");
        }
        return served.get();
      }
      plan =
          checked.isPresent()
              ? AccountRun.plan(checked.get(), accounts, err)
              : AccountRun.plan(options, accounts, err);
      AccountRun.localState(plan.config(), "poll", err);
      AccountRun.stateDirectory(plan.config(), err);
      AccountRun.queueDirectory(plan.config(), err);
    } catch (AccountRun.Exit e) {
      return e.status;
    }
    String stateUrl = plan.config().stateUrl();
    Optional<StateLock> lock = StateLock.tryAcquire(plan.config().state().file());
    if (lock.isEmpty()) {
      err.println(
          "popfetch: another popfetch is polling with the state "
              + stateUrl
              + "; not starting a second");
      return ExitStatus.LOCKED.code;
    }
    FetchObserver observer = quiet ? FetchObserver.NONE : ProgressBar.forTerminal(err);
    List<PollResult> results;
    PopfetchConfig config = plan.config();
    Map<String, QueueRunner.Route> routes;
    try {
      routes = AccountWiring.routes(config);
    } catch (ConfigException e) {
      return AccountRun.failed(e, err);
    }
    try (StateLock held = lock.get();
        // The servers' part of each session (connection, TLS, login, and the reading of the
        // maildrop that a login starts) runs while the local set-up below does.
        SessionsAhead ahead = SessionsAhead.start(plan.targets(), config, options.trace)) {
      MailQueue queue =
          AccountWiring.forwards(config)
              ? new MailQueue(config.queue().dir(), Clock.systemUTC())
              : null;
      // The local set-up runs while the sessions connect, negotiate TLS and log in (and the
      // servers work on the maildrops): each poll waits for it at its first read of the store,
      // before anything it does could deliver or delete.
      try (OpeningSeenUidStore store =
          OpeningSeenUidStore.start(() -> prepared(config, queue), patience(plan))) {
        results =
            ParallelRun.forEach(
                plan.targets(),
                config.parallel(),
                config.perServer(),
                AccountRun.Target::server,
                AccountRun.Target::port,
                t -> {
                  Optional<SessionAhead> session = ahead.of(t);
                  try {
                    return store.failed()
                        ? notPolled(t, observer)
                        : AccountPolling.once(
                                t.name(),
                                PollWiring.poll(t, config, store, queue, options.trace, session),
                                observer)
                            .poll(() -> false);
                  } finally {
                    // Not taken by a poll that ended before its session (the store did not
                    // open, the destination could not be set up): ended now, within the
                    // account's slot at its server, not at the end of the run.
                    session.ifPresent(SessionAhead::close);
                  }
                });
        // A store that did not open is said here, once, as it was before any poll when the
        // store opened first: the polls that had begun met it at their first read and left with
        // QUIT, having marked nothing for deletion; those that had not, never connected, unless
        // their session was opened ahead, which they ended with QUIT after its login. A store
        // that cannot be opened (corrupt, locked, a full or hung disk) is the admin's to mend,
        // not a bug to report: its own words and what to check, with the failure status.
        try {
          store.awaitOpen();
        } catch (IOException e) {
          err.println(
              "popfetch: "
                  + LogText.sanitize(String.valueOf(e.getMessage()))
                  + "; "
                  + new PollFailure(PollFailure.Kind.STORE, "").remedy());
          if (options.trace) {
            e.printStackTrace(err);
          }
          return ExitStatus.INTERNAL.code;
        }
        if (queue != null) {
          // What was just queued goes out now; what waits for a retry goes when it is due.
          runQueue(queue, routes, config);
        }
      }
    }
    for (PollResult r : results) {
      if (r.failure().isEmpty()
          && r.fetched() == 0
          && r.deleted() == 0
          && r.oversize() == 0
          && r.quarantined() == 0) {
        // The poll itself logs this at DEBUG, so that the service does not repeat it.
        LOG.info("{}: no new mail ({} on the server)", r.account(), r.onServer());
      }
    }
    return PollStatus.of(results).code;
  }

  /**
   * How long the polls wait for the store to open: as long as the most patient account waits for
   * its server. A session kept logged in longer, waiting on a hung disk, would hold the server's
   * maildrop lock for nothing.
   */
  private static Duration patience(AccountRun.Plan plan) {
    // A minute when no account is polled, so that the store still opens to be closed.
    Duration longest = plan.targets().isEmpty() ? Duration.ofMinutes(1) : Duration.ZERO;
    for (AccountRun.Target t : plan.targets()) {
      if (t.config().timeout().compareTo(longest) > 0) {
        longest = t.config().timeout();
      }
    }
    return longest;
  }

  /**
   * The result of an account not polled because the store is known not to open: it would cost its
   * server a login for nothing. Why the store did not open is said once, by the command.
   */
  private static PollResult notPolled(AccountRun.Target t, FetchObserver observer) {
    PollResult result =
        new PollResult(
            t.name(),
            0,
            0,
            0,
            0,
            0,
            0,
            Optional.of(
                new PollFailure(
                    PollFailure.Kind.STORE, "not polled: the state store did not open")));
    observer.finished(result);
    return result;
  }

  /**
   * The state store opened, the state of older account scopes adopted and, when an account
   * forwards, the queue recovered from an earlier crash: all before any poll reads the store, so
   * before any poll delivers into the queue (recovery empties its incoming/).
   */
  private SeenUidStore prepared(PopfetchConfig config, MailQueue queue) throws IOException {
    SeenUidStore store = opener.open(config.state().file());
    try {
      AccountWiring.adoptOldState(config, store);
      if (queue != null) {
        queue.recover();
      }
      return store;
    } catch (IOException | RuntimeException | Error e) {
      try {
        store.close();
      } catch (IOException c) {
        e.addSuppressed(c);
      }
      throw e;
    }
  }

  /** One run of the queue, logged as counts. */
  private static void runQueue(
      MailQueue queue, Map<String, QueueRunner.Route> routes, PopfetchConfig config)
      throws IOException {
    QueueRunner.Report r =
        new QueueRunner(
                queue,
                routes,
                AccountWiring.queuePolicy(config),
                Clock.systemUTC(),
                ProtocolTrace.NONE)
            .run(false);
    LOG.info(
        "queue: {} delivered, {} deferred, {} bounced", r.delivered(), r.deferred(), r.bounced());
  }
}
