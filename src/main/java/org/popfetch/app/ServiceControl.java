package org.popfetch.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.control.ControlReply;
import org.popfetch.control.ControlRequest;
import org.popfetch.control.ControlServer;
import org.popfetch.fetch.PollResult;
import org.popfetch.metrics.PopfetchMetrics;
import org.popfetch.queue.MailQueue;
import org.popfetch.queue.QueueRunner;

/**
 * The service's answers on the control socket: {@code poll [ACCOUNT...]}, {@code flush [ID]},
 * {@code reload}, {@code status}. Each answer holds the lines the command line prints and the exit
 * status it ends with, the same as the command run without a service.
 */
final class ServiceControl implements ControlServer.Handler {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  private final PopfetchDaemon daemon;

  ServiceControl(PopfetchDaemon daemon) {
    this.daemon = daemon;
  }

  /**
   * Listens on the configuration's control socket.
   *
   * @throws AccountRun.Exit after one line: {@link ExitStatus#LOCKED} if another popfetch answers
   *     there, {@link ExitStatus#INTERNAL} if the socket cannot be made
   */
  static ControlServer listen(PopfetchDaemon daemon, PopfetchConfig config, PrintWriter err)
      throws AccountRun.Exit {
    try {
      return ControlServer.listen(config.controlSocket(), new ServiceControl(daemon));
    } catch (ControlServer.InUseException e) {
      err.println("popfetch: " + e.getMessage() + "; not starting a second");
      err.flush();
      throw new AccountRun.Exit(ExitStatus.LOCKED.code);
    } catch (IOException e) {
      err.println(
          "popfetch: cannot listen on the control socket "
              + config.controlSocket()
              + ": "
              + AccountRun.reason(e)
              + "; set control.socket in "
              + config.source()
              + " to a path in a directory popfetch may write");
      err.flush();
      throw new AccountRun.Exit(ExitStatus.INTERNAL.code);
    }
  }

  @Override
  public int handle(ControlRequest request, ControlReply reply) {
    try {
      return switch (request.verb()) {
        case "poll" -> poll(request.words(), reply);
        case "flush" -> flush(request.words(), reply);
        case "reload" -> reload(reply);
        case "status" -> status(reply);
        default -> {
          reply.err("popfetch: the service knows no command " + request.verb());
          yield ExitStatus.SYNTAX.code;
        }
      };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply.err("popfetch: the service is stopping");
      return ExitStatus.INTERNAL.code;
    } catch (IOException e) {
      reply.err("popfetch: " + e.getMessage());
      return ExitStatus.INTERNAL.code;
    }
  }

  private int poll(List<String> names, ControlReply reply) throws InterruptedException {
    ServiceJobs jobs = daemon.jobs();
    for (String n : names) {
      if (!jobs.has(n)) {
        reply.err("popfetch: no account named " + n + " in " + daemon.config().source());
        return ExitStatus.SYNTAX.code;
      }
    }
    List<PollResult> results = jobs.pollNow(names);
    for (PollResult r : results) {
      if (r.failure().isPresent()) {
        reply.err(line(r));
      } else {
        reply.out(line(r));
      }
    }
    return PollStatus.of(results).code;
  }

  /** One account's poll in one line, in the words of the poll's own log line. */
  static String line(PollResult r) {
    if (r.failure().isPresent()) {
      return r.account()
          + ": poll failed ("
          + r.failure().get().kind()
          + "): "
          + r.failure().get().message()
          + "; "
          + r.failure().get().remedy();
    }
    return r.account()
        + ": "
        + r.onServer()
        + " on server, "
        + r.fetched()
        + " fetched ("
        + r.octets()
        + " octets), "
        + r.deleted()
        + " deleted, "
        + r.oversize()
        + " too large"
        + (r.quarantined() > 0 ? ", " + r.quarantined() + " quarantined" : "");
  }

  private int flush(List<String> words, ControlReply reply) throws IOException {
    if (words.size() > 1) {
      reply.err("popfetch: flush takes at most one message id");
      return ExitStatus.SYNTAX.code;
    }
    ServiceJobs jobs = daemon.jobs();
    Optional<String> id = words.stream().findFirst();
    if (id.isPresent()) {
      Optional<MailQueue> queue = jobs.queue();
      if (queue.isEmpty() || queue.get().find(id.get()).isEmpty()) {
        reply.err("popfetch: no message " + id.get() + " in the queue");
        return ExitStatus.SYNTAX.code;
      }
      queue.get().reschedule(id.get(), Instant.now());
    }
    Optional<QueueRunner.Report> report = jobs.runQueue(id.isEmpty(), false);
    if (report.isEmpty()) {
      reply.err("popfetch: the queue run failed; the service's log says why");
      return ExitStatus.INTERNAL.code;
    }
    QueueRunner.Report r = report.get();
    reply.out(
        r.delivered() + " delivered, " + r.deferred() + " deferred, " + r.bounced() + " bounced");
    return 0;
  }

  private int reload(ControlReply reply) {
    Optional<String> refused = daemon.reloadChecked();
    if (refused.isPresent()) {
      refused.get().lines().forEach(reply::err);
      reply.err("popfetch: reload refused; the service runs on with its configuration");
      return ExitStatus.SYNTAX.code;
    }
    reply.out("configuration reloaded: " + daemon.ledger().accounts().size() + " account(s)");
    return 0;
  }

  private int status(ControlReply reply) {
    ServiceLedger ledger = daemon.ledger();
    reply.out(
        "popfetch service (pid "
            + ProcessHandle.current().pid()
            + ") up since "
            + TIME.format(ledger.started())
            + ", configuration "
            + daemon.config().source());
    reply.out(String.format("%-20s %-19s  %s", "ACCOUNT", "LAST POLL", "RESULT"));
    for (String a : ledger.accounts()) {
      Optional<ServiceLedger.Last> last = ledger.last(a);
      reply.out(
          String.format(
              "%-20s %-19s  %s",
              a,
              last.map(l -> TIME.format(l.at())).orElse("-"),
              last.map(l -> line(l.result()).substring(a.length() + 2)).orElse("not polled yet")));
    }
    reply.out("queue: " + ledger.queued() + " message(s)");
    daemon.cluster().ifPresent(node -> cluster(node, reply));
    PopfetchMetrics.Health health = daemon.metrics().health();
    health.text().strip().lines().forEach(l -> reply.out("health: " + l));
    return health.ok() ? 0 : 1;
  }

  /** The cluster as this node last read it: the nodes, and which polls which account now. */
  private static void cluster(ClusterNode node, ControlReply reply) {
    ClusterText.lines(node.name, node.configMismatch(), node.snapshot(), TIME).forEach(reply::out);
  }
}
