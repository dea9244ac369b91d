package org.popfetch.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.popfetch.config.YamlReader.Entry;

/** Reads {@code queue:}: the forwarding queue's directory, retry times, bounces and resolver. */
final class QueueSection {
  private static final List<String> KEYS =
      List.of(
          "dir",
          "lifetime",
          "min-backoff",
          "max-backoff",
          "postmaster",
          "bounce-to",
          "resolver",
          "delay-warning",
          "smtp-timeouts");
  private static final List<String> SMTP_TIMEOUT_KEYS = List.of("connect", "reply", "data-done");

  private QueueSection() {}

  /**
   * The queue under {@code entry} (null: all defaults), its directory by default beside the state
   * store in {@code stateDir}.
   */
  static QueueConfig read(YamlReader yaml, Entry entry, Path stateDir) throws ConfigException {
    Map<String, Entry> q =
        entry == null ? Map.of() : yaml.mapping(entry.value(), entry.path(), KEYS);
    Path dir =
        q.containsKey("dir")
            ? yaml.absolutePath(q.get("dir").value(), q.get("dir").path())
            : stateDir.resolve("queue");
    Duration lifetime = duration(yaml, q.get("lifetime"), "0s", Duration.ofDays(5));
    Duration min = duration(yaml, q.get("min-backoff"), "1s", Duration.ofSeconds(300));
    Duration max = duration(yaml, q.get("max-backoff"), "1s", Duration.ofSeconds(4000));
    if (max.compareTo(min) < 0) {
      Entry e = q.get("max-backoff");
      throw yaml.error(e.path(), e.line(), "must not be shorter than min-backoff");
    }
    String postmaster =
        q.containsKey("postmaster")
            ? yaml.string(q.get("postmaster").value(), q.get("postmaster").path()).strip()
            : "postmaster";
    boolean toSender = true;
    if (q.containsKey("bounce-to")) {
      Entry e = q.get("bounce-to");
      String v = yaml.string(e.value(), e.path()).strip();
      switch (v) {
        case "both" -> toSender = true;
        case "sender" -> {
          toSender = true;
          postmaster = "";
        }
        case "postmaster" -> toSender = false;
        default ->
            throw yaml.error(
                e.path(),
                YamlReader.line(e.value()),
                "expected sender, postmaster or both, got " + YamlReader.quote(v));
      }
    }
    Optional<HostPort> resolver = Optional.empty();
    if (q.containsKey("resolver")) {
      resolver =
          Optional.of(yaml.hostPort(q.get("resolver"), "expected host:port of a DNS server, got "));
    }
    Duration delayWarning = duration(yaml, q.get("delay-warning"), "0s", Duration.ZERO);
    QueueConfig.SmtpWaits waits =
        q.containsKey("smtp-timeouts")
            ? smtpTimeouts(yaml, q.get("smtp-timeouts"))
            : QueueConfig.SmtpWaits.DEFAULTS;
    return new QueueConfig(
        dir, lifetime, min, max, postmaster, toSender, resolver, delayWarning, waits);
  }

  private static QueueConfig.SmtpWaits smtpTimeouts(YamlReader yaml, Entry entry)
      throws ConfigException {
    Map<String, Entry> t = yaml.mapping(entry.value(), entry.path(), SMTP_TIMEOUT_KEYS);
    return new QueueConfig.SmtpWaits(
        wait(yaml, t.get("connect")), wait(yaml, t.get("reply")), wait(yaml, t.get("data-done")));
  }

  private static Optional<Duration> wait(YamlReader yaml, Entry e) throws ConfigException {
    return e == null
        ? Optional.empty()
        : Optional.of(yaml.duration(e.value(), e.path(), "1s", "1h"));
  }

  private static Duration duration(YamlReader yaml, Entry e, String min, Duration otherwise)
      throws ConfigException {
    return e == null ? otherwise : yaml.duration(e.value(), e.path(), min, null);
  }
}
