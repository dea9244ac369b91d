package org.popfetch.app;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.fetch.AccountCheck;
import org.popfetch.fetch.PollFailure;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.net.LogText;
import org.popfetch.net.LoggingProtocolTrace;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.schedule.ParallelRun;
import org.popfetch.store.SqliteSeenUidStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code popfetch check [ACCOUNT...]}: how much mail is waiting, without fetching any. */
@Command(
    name = "check",
    description = {
      "Count the messages on each account's server and how many are new, without fetching.",
      "Exit status: 0 new mail, 1 none, otherwise as for poll (popfetch help poll)."
    })
final class CheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions options;

  @Parameters(
      paramLabel = "ACCOUNT",
      arity = "0..*",
      description = "Accounts to check (default: all).")
  List<String> accounts;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AccountRun.Plan plan;
    try {
      plan = AccountRun.plan(options, accounts, err);
      AccountRun.localState(plan.config(), "check", err);
      AccountRun.stateDirectory(plan.config(), err);
    } catch (AccountRun.Exit e) {
      return e.status;
    }
    List<AccountCheck.Report> reports;
    try (SeenUidStore store = SqliteSeenUidStore.open(plan.config().state().file())) {
      AccountWiring.adoptOldState(plan.config(), store);
      PopfetchConfig config = plan.config();
      reports =
          ParallelRun.forEach(
              plan.targets(),
              config.parallel(),
              config.perServer(),
              AccountRun.Target::server,
              AccountRun.Target::port,
              t -> {
                ProtocolTrace trace =
                    options.trace ? new LoggingProtocolTrace(t.name()) : ProtocolTrace.NONE;
                return AccountCheck.run(
                    t.account(), AccountWiring.policy(t.config()), store, Clock.systemUTC(), trace);
              });
    }
    out.printf("%-20s %9s %12s %9s %12s%n", "ACCOUNT", "MESSAGES", "OCTETS", "NEW", "NEW OCTETS");
    Optional<PollFailure> firstFailure = Optional.empty();
    boolean anyNew = false;
    for (AccountCheck.Report r : reports) {
      if (r.failure().isPresent()) {
        // The server's own words: escaped, they cannot drive the admin's terminal.
        PollFailure f = r.failure().get();
        out.printf(
            "%-20s failed: %s; %s%n", r.account(), LogText.sanitize(f.message()), f.remedy());
        firstFailure = firstFailure.or(r::failure);
      } else {
        out.printf(
            "%-20s %9d %12d %9d %12d%n",
            r.account(), r.messages(), r.octets(), r.fresh(), r.freshOctets());
        anyNew |= r.fresh() > 0;
      }
    }
    out.flush();
    if (firstFailure.isPresent()) {
      return ExitStatus.of(firstFailure.get().kind()).code;
    }
    return (anyNew ? ExitStatus.MAIL : ExitStatus.NO_MAIL).code;
  }
}
