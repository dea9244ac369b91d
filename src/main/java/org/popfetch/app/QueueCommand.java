package org.popfetch.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.popfetch.config.ConfigException;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.config.StateLocation;
import org.popfetch.control.ControlRequest;
import org.popfetch.net.LogText;
import org.popfetch.net.LoggingProtocolTrace;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.queue.MailQueue;
import org.popfetch.queue.QueueEntry;
import org.popfetch.queue.QueueRunner;
import org.popfetch.store.StateLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code popfetch queue list|flush|delete|bounce}: see and steer the forwarding queue. */
@Command(
    name = "queue",
    description = "See and steer the forwarding queue.",
    subcommands = {
      QueueCommand.List.class,
      QueueCommand.Flush.class,
      QueueCommand.Delete.class,
      QueueCommand.Bounce.class
    })
final class QueueCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The queue of a configuration; the reason is printed on failure. */
  static MailQueue open(CommonOptions options, PrintWriter err) throws AccountRun.Exit {
    try {
      PopfetchConfig config = ConfigLoader.load(options.config);
      return new MailQueue(config.queue().dir(), Clock.systemUTC());
    } catch (ConfigException e) {
      throw new AccountRun.Exit(AccountRun.failed(e, err));
    } catch (IOException e) {
      err.println("popfetch: cannot open the queue: " + e.getMessage());
      throw new AccountRun.Exit(ExitStatus.INTERNAL.code);
    }
  }

  /**
   * The same lock as {@code poll}: one process at a time sends from the queue, so recovering what
   * another left in active/ cannot steal a transaction still in progress.
   */
  static StateLock exclusive(CommonOptions options, PrintWriter err) throws AccountRun.Exit {
    try {
      StateLocation state = ConfigLoader.load(options.config).state();
      return StateLock.tryAcquire(state.file())
          .orElseThrow(
              () -> {
                err.println("popfetch: another popfetch is using the state " + state.url());
                return new AccountRun.Exit(ExitStatus.LOCKED.code);
              });
    } catch (ConfigException e) {
      throw new AccountRun.Exit(AccountRun.failed(e, err));
    } catch (IOException e) {
      err.println("popfetch: " + e.getMessage());
      throw new AccountRun.Exit(ExitStatus.INTERNAL.code);
    }
  }

  static QueueRunner runner(CommonOptions options, MailQueue queue, PrintWriter err)
      throws AccountRun.Exit {
    try {
      PopfetchConfig config = ConfigLoader.load(options.config);
      return new QueueRunner(
          queue,
          AccountWiring.routes(config),
          AccountWiring.queuePolicy(config),
          Clock.systemUTC(),
          options.trace ? new LoggingProtocolTrace("queue") : ProtocolTrace.NONE);
    } catch (ConfigException e) {
      throw new AccountRun.Exit(AccountRun.failed(e, err));
    }
  }

  @Command(
      name = "list",
      description = "Every queued message: id, age, attempts, next try, recipients, last error.")
  static final class List implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions options;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      MailQueue queue;
      try {
        queue = open(options, spec.commandLine().getErr());
      } catch (AccountRun.Exit e) {
        return e.status;
      }
      Instant now = Instant.now();
      var entries = queue.entries();
      out.printf("%-22s %8s %4s %-20s %s%n", "ID", "AGE", "TRY", "NEXT", "RECIPIENTS / LAST ERROR");
      for (MailQueue.Scheduled s : entries) {
        QueueEntry e = s.entry();
        // Recipients come from the mail and the error from a server: escaped for the terminal.
        out.printf(
            "%-22s %8s %4d %-20s %s%n",
            LogText.sanitize(e.id()),
            age(Duration.between(e.arrival(), now)),
            e.attempts(),
            s.next().isAfter(now) ? s.next().toString().substring(0, 19) : "now",
            LogText.sanitize(String.join(", ", e.pending()), LogText.MAX_LENGTH * 4));
        if (!e.lastError().isEmpty()) {
          out.printf("%-22s %s%n", "", LogText.sanitize(e.lastError()));
        }
      }
      out.printf("%d message(s) queued%n", entries.size());
      out.flush();
      return 0;
    }

    private static String age(Duration d) {
      return d.toDays() > 0
          ? d.toDays() + "d"
          : d.toHours() > 0 ? d.toHours() + "h" : d.toMinutes() + "m";
    }
  }

  @Command(
      name = "flush",
      description =
          "Try every queued message now, or only ID (done by the running service, if one runs).")
  static final class Flush implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions options;

    @Parameters(arity = "0..1", paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      try {
        Optional<Integer> served =
            ServiceClient.ask(
                options.config,
                ControlRequest.of("flush", Optional.ofNullable(id).stream().toList()),
                ServiceClient.LONG,
                spec.commandLine().getOut(),
                err);
        if (served.isPresent()) {
          return served.get();
        }
      } catch (AccountRun.Exit e) {
        return e.status;
      }
      try (StateLock lock = exclusive(options, err)) {
        MailQueue queue = open(options, err);
        queue.recover(); // an attempt a killed process left in active/ is tried again
        QueueRunner runner = runner(options, queue, err);
        if (id != null) {
          if (queue.find(id).isEmpty()) {
            err.println("popfetch: no message " + id + " in the queue");
            return ExitStatus.SYNTAX.code;
          }
          queue.reschedule(id, Instant.now());
        }
        QueueRunner.Report r = runner.run(id == null);
        spec.commandLine()
            .getOut()
            .printf(
                "%d delivered, %d deferred, %d bounced%n",
                r.delivered(), r.deferred(), r.bounced());
        spec.commandLine().getOut().flush();
        return 0;
      } catch (AccountRun.Exit e) {
        return e.status;
      }
    }
  }

  @Command(
      name = "delete",
      description = "Remove message ID from the queue without delivering or bouncing it.")
  static final class Delete implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions options;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws Exception {
      try {
        MailQueue queue = open(options, spec.commandLine().getErr());
        if (queue.find(id).isEmpty()) {
          spec.commandLine().getErr().println("popfetch: no message " + id + " in the queue");
          return ExitStatus.SYNTAX.code;
        }
        queue.remove(id);
        spec.commandLine().getOut().println("deleted " + id);
        return 0;
      } catch (AccountRun.Exit e) {
        return e.status;
      }
    }
  }

  @Command(
      name = "bounce",
      description = "Give up on message ID now: bounce it to its sender (and the postmaster).")
  static final class Bounce implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions options;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      try {
        MailQueue queue = open(options, err);
        if (queue.find(id).isEmpty()) {
          err.println("popfetch: no message " + id + " in the queue");
          return ExitStatus.SYNTAX.code;
        }
        runner(options, queue, err).bounceNow(id, "bounced by the administrator");
        spec.commandLine().getOut().println("bounced " + id);
        return 0;
      } catch (AccountRun.Exit e) {
        return e.status;
      }
    }
  }
}
