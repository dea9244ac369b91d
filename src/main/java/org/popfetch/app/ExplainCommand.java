package org.popfetch.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.popfetch.config.DeliverConfig;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.fetch.AccountExplain;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.fetch.MessageRules;
import org.popfetch.fetch.PollFailure;
import org.popfetch.fetch.SeenUid;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.net.LogText;
import org.popfetch.net.LoggingProtocolTrace;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.schedule.ParallelRun;
import org.popfetch.store.SqliteSeenUidStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code popfetch explain [ACCOUNT...] [--json]}: what a poll would do with each message, and why,
 * changing nothing on the server or in the state.
 */
@Command(
    name = "explain",
    description = {
      "Say what a poll would do with each message on each account's server, and why, without"
          + " doing it: new or seen; fetch, skip, oversize or delete; when delete-after deletes it;"
          + " which rule decided; recipients and destinations. Reads LIST, UIDL and the headers the"
          + " decisions need (TOP); deletes, retrieves and records nothing.",
      "Exit status: 0, or as for poll when an account fails (popfetch help poll)."
    })
final class ExplainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions options;

  @Parameters(
      paramLabel = "ACCOUNT",
      arity = "0..*",
      description = "Accounts to explain (default: all).")
  List<String> accounts;

  @Option(
      names = "--json",
      description = "Print one JSON document (its form is in popfetch.yaml(5), EXPLAIN).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AccountRun.Plan plan;
    try {
      plan = AccountRun.plan(options, accounts, err);
    } catch (AccountRun.Exit e) {
      return e.status;
    }
    PopfetchConfig config = plan.config();
    List<AccountExplain.Report> reports;
    try (SeenUidStore store = readOnlyState(config.state().file(), err)) {
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
                MessageRules rules;
                try {
                  rules =
                      MessageRules.of(AccountWiring.destination(t.config(), config, Named::new));
                } catch (DeliveryException e) {
                  throw new IllegalStateException(e); // Named opens nothing, so cannot fail
                }
                return AccountExplain.run(
                    t.account(),
                    AccountWiring.policy(t.config()),
                    rules,
                    store,
                    Clock.systemUTC(),
                    trace);
              });
    }
    List<ExplainText.Account> shown = new ArrayList<>();
    for (int i = 0; i < reports.size(); i++) {
      AccountRun.Target t = plan.targets().get(i);
      shown.add(new ExplainText.Account(t.config(), reports.get(i)));
    }
    if (json) {
      out.println(ExplainText.json(shown));
    } else {
      ExplainText.text(shown).forEach(out::println);
    }
    out.flush();
    Optional<PollFailure> failed = reports.stream().flatMap(r -> r.failure().stream()).findFirst();
    return failed.map(f -> ExitStatus.of(f.kind()).code).orElse(ExitStatus.MAIL.code);
  }

  /**
   * The state, read only; without a state file yet, nothing is remembered (every message is new),
   * and that is said.
   */
  private static SeenUidStore readOnlyState(Path file, PrintWriter err) throws IOException {
    try {
      return SqliteSeenUidStore.openReadOnly(file);
    } catch (IOException e) {
      err.println(
          "popfetch: no state to read ("
              + LogText.sanitize(e.getMessage())
              + "); every message counts as new");
      err.flush();
      return new SeenUidStore() {
        @Override
        public Map<String, SeenUid> load(AccountKey account) {
          return Map.of();
        }

        @Override
        public void record(AccountKey account, Collection<SeenUid> entries) throws IOException {
          throw new IOException("explain records nothing");
        }

        @Override
        public void forget(AccountKey account, Collection<String> uids) throws IOException {
          throw new IOException("explain forgets nothing");
        }

        @Override
        public int adopt(AccountKey from, AccountKey to) throws IOException {
          throw new IOException("explain adopts nothing");
        }

        @Override
        public void close() {}
      };
    }
  }

  /**
   * A configured destination that only says what it is, as the file has it: explain names where a
   * message would go without creating, opening or writing anything.
   */
  private record Named(DeliverConfig config) implements Destination {
    @Override
    public String describe() {
      return ConfigText.deliver(config);
    }

    @Override
    public Staged stage(Incoming message, InputStream wireBody) throws DeliveryException {
      throw DeliveryException.rejected("explain delivers nothing");
    }

    @Override
    public void commit(List<Staged> batch) throws DeliveryException {
      throw DeliveryException.rejected("explain delivers nothing");
    }

    @Override
    public void discard(List<Staged> batch) {}
  }
}
