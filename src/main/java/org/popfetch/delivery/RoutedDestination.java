package org.popfetch.delivery;

import com.google.re2j.Matcher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.fetch.MessageProgress;
import org.popfetch.fetch.MessageRules;
import org.popfetch.fetch.OversizeAction;
import org.popfetch.fetch.Verdict;
import org.popfetch.net.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routing rules: the first rule whose condition the message meets chooses its destinations; a
 * message no rule takes goes to the account's own destination (the catch-all).
 *
 * <p>A message for one destination streams straight into it. A message for several is first copied
 * to a private spool file and staged into each from there; it counts as delivered only when every
 * one took it. Programs (pipes) are run last, after the mailboxes have staged it, so that a mailbox
 * failure does not leave a program with a copy that a retry would repeat.
 *
 * <p>The outcomes of several targets combine so: the first refusal stops the staging and is the
 * message's outcome, and the targets that had staged it discard their copies. A {@code
 * Outcome.Deferred} from any target defers the message for all of them; a {@code Outcome.Rejected}
 * with a copy (a program refused it) sends the whole message to the quarantine; one without leaves
 * it on the server.
 *
 * <p>A destination of several that has the message durably (a program when it exits 0, a mailbox
 * when its commit returns) is recorded in the message's {@link MessageProgress}, so that a message
 * tried again after another destination failed is not given to it twice.
 */
public final class RoutedDestination implements Destination, MessageRules {
  private static final Logger LOG = LoggerFactory.getLogger(RoutedDestination.class);

  /** Where a rule sends mail: a fixed destination, or a Maildir++ folder named per message. */
  public sealed interface Target {
    /** A destination that needs nothing from the message. */
    record Fixed(Destination destination) implements Target {}

    /**
     * A folder of a Maildir; the name may use $1..$9 from the rule's match.
     *
     * @param opener makes the destination for one folder (".Lists.dev"), or "" for the Maildir
     *     itself; empty: a {@link MaildirDestination} written by popfetch itself
     */
    record Folder(Path maildir, String template, Optional<FolderOpener> opener) implements Target {
      public Folder(Path maildir, String template) {
        this(maildir, template, Optional.empty());
      }
    }
  }

  /** Makes the destination for a folder of a Maildir another process writes (a user's agent). */
  public interface FolderOpener {
    Destination open(Path maildir, String folder) throws DeliveryException;
  }

  /**
   * One rule.
   *
   * @param label how logs and explain name it ("rule 2: header List-Id glob ..."); "" for "rule N"
   */
  public record Rule(FieldMatch when, List<Target> targets, Disposition disposition, String label) {
    public Rule {
      targets = List.copyOf(targets);
    }

    /** A rule that delivers whatever it matches to its targets. */
    public Rule(FieldMatch when, List<Target> targets) {
      this(when, targets, Disposition.DELIVER, "");
    }
  }

  /**
   * What a rule does with what it matches, decided before the message is fetched where the server
   * has TOP: deliver it to the rule's targets (unless it is over the rule's max-size), leave it on
   * the server, or delete it there.
   *
   * @param maxSize for {@link Kind#DELIVER}: larger messages are not fetched, {@code oversize} says
   *     what follows
   */
  public record Disposition(Kind kind, OptionalLong maxSize, OversizeAction oversize) {
    public static final Disposition DELIVER =
        new Disposition(Kind.DELIVER, OptionalLong.empty(), OversizeAction.LEAVE);
    public static final Disposition SKIP =
        new Disposition(Kind.SKIP, OptionalLong.empty(), OversizeAction.LEAVE);
    public static final Disposition DELETE =
        new Disposition(Kind.DELETE, OptionalLong.empty(), OversizeAction.LEAVE);

    /** What a rule does. */
    public enum Kind {
      DELIVER,
      SKIP,
      DELETE
    }

    /** Whether deciding needs the message's header before it is fetched. */
    boolean beforeDownload() {
      return kind != Kind.DELIVER || maxSize.isPresent();
    }
  }

  private final List<Rule> rules;
  private final Destination fallback;
  private final Path spoolDir;
  private final String hostName;
  private final Map<Path, Destination> folders = new LinkedHashMap<>();
  private final byte[] buffer = new byte[64 * 1024];

  public RoutedDestination(List<Rule> rules, Destination fallback, Path spoolDir, String hostName) {
    this.rules = List.copyOf(rules);
    this.fallback = fallback;
    this.spoolDir = spoolDir;
    this.hostName = hostName;
  }

  @Override
  public String describe() {
    return rules.size() + " rule(s), else " + fallback.describe();
  }

  @Override
  public boolean needsHeaders() {
    return rules.stream().anyMatch(r -> r.disposition().beforeDownload());
  }

  /**
   * The first rule the message meets decides: it is left or deleted, too large for the rule, or
   * fetched for the rule's targets; a message no rule meets is fetched for the account's
   * destination.
   */
  @Override
  public Verdict judge(Incoming message, long size) {
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      Optional<Matcher> m = rule.when().match(message);
      if (m.isEmpty()) {
        continue;
      }
      String label = rule.label().isEmpty() ? "rule " + (i + 1) : rule.label();
      Disposition d = rule.disposition();
      switch (d.kind()) {
        case SKIP:
          return new Verdict.Skip(label);
        case DELETE:
          return new Verdict.Delete(label);
        default:
          break;
      }
      if (d.maxSize().isPresent() && size > d.maxSize().getAsLong()) {
        return new Verdict.Oversize(label, d.maxSize().getAsLong(), d.oversize());
      }
      List<String> where = new ArrayList<>();
      for (Target t : rule.targets()) {
        where.add(describe(t, m.get()));
      }
      return new Verdict.Fetch(label, where);
    }
    return new Verdict.Fetch("", List.of(fallback.describe()));
  }

  /** A target as explain names it, without opening it. */
  private static String describe(Target target, Matcher match) {
    if (target instanceof Target.Fixed f) {
      return f.destination().describe();
    }
    Target.Folder folder = (Target.Folder) target;
    String name = MaildirFolders.expand(folder.template(), match);
    return "maildir "
        + folder.maildir()
        + MaildirFolders.resolve(folder.maildir(), name)
            .map(p -> " folder " + p.getFileName())
            .orElse(" (INBOX: folder name unusable)");
  }

  /**
   * The destinations for this message, mailboxes before programs. A message whose first matching
   * rule delivers nothing (it leaves or deletes) is not one a poll fetches; popfetch's own notices
   * are, and they go to the account's destination.
   */
  List<Destination> route(Incoming message) throws DeliveryException {
    for (Rule rule : rules) {
      Optional<Matcher> m = rule.when().match(message);
      if (m.isPresent() && rule.disposition().kind() != Disposition.Kind.DELIVER) {
        return List.of(fallback);
      }
      if (m.isPresent()) {
        List<Destination> out = new ArrayList<>();
        for (Target t : rule.targets()) {
          out.add(resolve(t, m.get()));
        }
        out.sort(
            (a, b) -> Boolean.compare(a instanceof PipeDestination, b instanceof PipeDestination));
        return out;
      }
    }
    return List.of(fallback);
  }

  private Destination resolve(Target target, Matcher match) throws DeliveryException {
    if (target instanceof Target.Fixed f) {
      return f.destination();
    }
    Target.Folder folder = (Target.Folder) target;
    String name = MaildirFolders.expand(folder.template(), match);
    Optional<Path> dir = MaildirFolders.resolve(folder.maildir(), name);
    if (dir.isEmpty()) {
      LOG.warn(
          "folder name {} cannot be used safely; delivering to the Maildir's INBOX",
          LogText.sanitize(name));
      return folderDestination(folder, Optional.empty());
    }
    return folderDestination(folder, dir);
  }

  private Destination folderDestination(Target.Folder target, Optional<Path> folder)
      throws DeliveryException {
    Path maildir = target.maildir();
    Path dir = folder.orElse(maildir);
    Destination d = folders.get(dir);
    if (d == null) {
      String name = folder.map(f -> f.getFileName().toString()).orElse("");
      d =
          target.opener().isPresent()
              ? target.opener().get().open(maildir, name)
              : MaildirDestination.folder(maildir, name, hostName);
      folders.put(dir, d);
    }
    return d;
  }

  @Override
  public Staged stage(Incoming message, InputStream wireBody) throws DeliveryException {
    List<Destination> targets = route(message);
    if (targets.size() == 1) {
      Destination d = targets.get(0);
      return new Routed(List.of(d), List.of(d.stage(message, wireBody)), List.of(), null);
    }
    // Several: a destination that took the message before (a program, when a later one failed)
    // is not given it again.
    MessageProgress progress = message.progress();
    List<Destination> outstanding = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      Destination d = targets.get(i);
      // Its place too: two programs may describe themselves alike ("pipe /bin/sh").
      String key = "route " + i + " " + d.describe();
      if (!progress.isDone(key)) {
        outstanding.add(d);
        keys.add(key);
      }
    }
    Path copy = spool(wireBody);
    List<Staged> staged = new ArrayList<>();
    try {
      for (int i = 0; i < outstanding.size(); i++) {
        Destination d = outstanding.get(i);
        try (InputStream in = Files.newInputStream(copy)) {
          staged.add(d.stage(message, in));
        }
        if (d instanceof PipeDestination) {
          progress.done(keys.get(i)); // the program has it, whatever becomes of the others
        }
      }
      return new Routed(outstanding, staged, keys, progress);
    } catch (IOException e) {
      for (int i = 0; i < staged.size(); i++) {
        outstanding.get(i).discard(List.of(staged.get(i)));
      }
      if (e instanceof DeliveryException d) {
        throw d;
      }
      throw DeliveryException.deferred("cannot read back " + copy + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(copy);
      } catch (IOException ignored) {
        // a private scratch file
      }
    }
  }

  private Path spool(InputStream wire) throws DeliveryException {
    try {
      Files.createDirectories(
          spoolDir,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path copy =
          Files.createTempFile(
              spoolDir,
              "routed-",
              ".eml",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (OutputStream out = Files.newOutputStream(copy)) {
        int n;
        while ((n = wire.read(buffer, 0, buffer.length)) > 0) {
          out.write(buffer, 0, n);
        }
      }
      return copy;
    } catch (IOException e) {
      throw DeliveryException.deferred(
          "cannot spool a message with several destinations: " + e.getMessage(), e);
    }
  }

  @Override
  public void commit(List<Staged> batch) throws DeliveryException {
    Map<Destination, List<Staged>> byDestination = new LinkedHashMap<>();
    for (Staged s : batch) {
      Routed r = (Routed) s;
      for (int i = 0; i < r.destinations.size(); i++) {
        byDestination
            .computeIfAbsent(r.destinations.get(i), k -> new ArrayList<>())
            .add(r.parts.get(i));
      }
    }
    for (Map.Entry<Destination, List<Staged>> e : byDestination.entrySet()) {
      e.getKey().commit(e.getValue());
      // Durable there: if a later destination fails, the retry does not give these a second copy.
      for (Staged s : batch) {
        Routed r = (Routed) s;
        for (int i = 0; i < r.keys.size(); i++) {
          if (r.destinations.get(i) == e.getKey() && !(e.getKey() instanceof PipeDestination)) {
            r.progress.done(r.keys.get(i));
          }
        }
      }
    }
  }

  @Override
  public void discard(List<Staged> batch) {
    for (Staged s : batch) {
      Routed r = (Routed) s;
      for (int i = 0; i < r.destinations.size(); i++) {
        r.destinations.get(i).discard(List.of(r.parts.get(i)));
      }
    }
  }

  /**
   * A message staged at its destinations; with several, each one's part name in the message's
   * progress ({@code keys} empty for one).
   */
  private record Routed(
      List<Destination> destinations,
      List<Staged> parts,
      List<String> keys,
      MessageProgress progress)
      implements Staged {
    @Override
    public long size() {
      return parts.stream().mapToLong(Staged::size).max().orElse(0);
    }
  }
}
