package org.popfetch.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a {@code deliver:} block, an account's or a rule's: one destination (maildir, mbox, pipe or
 * smtp) and the settings that apply to it.
 */
final class DeliverSection extends YamlReader {
  private static final List<String> DELIVER_KEYS =
      List.of("maildir", "mbox", "pipe", "smtp", "timeout", "user", "allow-root");
  private static final List<String> DESTINATIONS = List.of("maildir", "mbox", "pipe", "smtp");
  private static final Duration DEFAULT_PIPE_TIMEOUT = Duration.ofMinutes(10);

  /** The longest user name accepted (Debian's useradd allows 32). */
  static final int MAX_USER = 32;

  /** What a pipe argument may be replaced by; as PipeDestination substitutes them. */
  private static final List<String> PIPE_PLACEHOLDERS =
      List.of("%{recipient}", "%{sender}", "%{account}");

  private final boolean checkFiles;
  private final SecretSection secrets;

  /**
   * @param checkFiles whether a maildir path is checked against the file system
   */
  DeliverSection(Path source, boolean checkFiles, SecretSection secrets) {
    super(source);
    this.checkFiles = checkFiles;
    this.secrets = secrets;
  }

  /** The destination at {@code path}; a {@link ConfigException} names the first wrong key. */
  DeliverConfig read(Node v, String path) throws ConfigException {
    Map<String, Entry> entries = mapping(v, path, DELIVER_KEYS);
    List<Entry> chosen =
        DESTINATIONS.stream().filter(entries::containsKey).map(entries::get).toList();
    if (chosen.isEmpty()) {
      throw error(path, line(v), "expected a destination: maildir, mbox, pipe or smtp");
    }
    if (chosen.size() > 1) {
      throw error(chosen.get(1).path(), chosen.get(1).line(), "one destination per deliver: block");
    }
    Entry d = chosen.get(0);
    Entry user = entries.get("user");
    if (user != null && d.key().equals("smtp")) {
      throw error(
          user.path(),
          user.line(),
          "user applies to maildir, mbox and pipe (smtp takes its login in smtp: { user: })");
    }
    Optional<String> runAs = user == null ? Optional.empty() : Optional.of(userName(user));
    for (String pipeOnly : List.of("timeout", "allow-root")) {
      Entry e = entries.get(pipeOnly);
      if (e != null && !d.key().equals("pipe")) {
        throw error(
            e.path(),
            e.line(),
            pipeOnly.equals("timeout")
                ? "a timeout applies to pipe only"
                : pipeOnly + " applies to pipe only");
      }
    }
    return switch (d.key()) {
      case "maildir" -> new DeliverConfig.Maildir(maildir(d.value(), d.path(), runAs), runAs);
      case "mbox" -> new DeliverConfig.Mbox(absolutePath(d.value(), d.path()), runAs);
      case "pipe" -> pipe(d, entries, runAs);
      case "smtp" -> new SmtpSection(this, secrets).read(d);
      default -> throw new AssertionError(d.key());
    };
  }

  private DeliverConfig.Pipe pipe(Entry d, Map<String, Entry> entries, Optional<String> user)
      throws ConfigException {
    List<String> argv = command(d.value(), d.path());
    if (!argv.get(0).startsWith("/")) {
      throw error(
          d.path() + "[0]",
          line(d.value()),
          "the program must be an absolute path (no shell, no PATH search), got "
              + quote(argv.get(0)));
    }
    for (int i = 0; i < argv.size(); i++) {
      // Only a whole argument is replaced: pasted into other text, a recipient such as
      // "x --option" could change what the argument means to the program.
      if (argv.get(i).contains("%{") && !PIPE_PLACEHOLDERS.contains(argv.get(i))) {
        throw error(
            d.path() + "[" + i + "]",
            line(((SequenceNode) d.value()).getValue().get(i)),
            "a placeholder must be a whole argument (%{recipient}, %{sender} or %{account}),"
                + " since a value pasted into other text could change its meaning; got "
                + quote(argv.get(i)));
      }
    }
    Entry timeout = entries.get("timeout");
    Entry allowRoot = entries.get("allow-root");
    return new DeliverConfig.Pipe(
        argv,
        timeout == null
            ? DEFAULT_PIPE_TIMEOUT
            : duration(timeout.value(), timeout.path(), "1s", "24h"),
        user,
        allowRoot != null && bool(allowRoot.value(), allowRoot.path()));
  }

  /**
   * A local user's name, as POSIX's portable set has it (letters, digits, ".", "_", "-", not
   * starting with "-"), at most {@link #MAX_USER} characters: it becomes a unit's instance name and
   * a socket's file name, so nothing else may get through.
   */
  private String userName(Entry user) throws ConfigException {
    String name = string(user.value(), user.path()).strip();
    if (!isUserName(name)) {
      throw error(
          user.path(),
          line(user.value()),
          "not a user name (letters, digits, \".\", \"_\", \"-\", at most "
              + MAX_USER
              + " characters, not starting with \"-\"): "
              + quote(name));
    }
    return name;
  }

  /** Whether {@code name} is a local user's name as {@link #userName} takes it. */
  static boolean isUserName(String name) {
    return !name.isEmpty()
        && name.length() <= MAX_USER
        && !name.startsWith("-")
        && name.chars()
            .allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || "._-".indexOf(c) >= 0));
  }

  /**
   * A Maildir path. Checking files, a path that is, or lies inside, something other than a
   * directory is refused here: delivery would fail at every poll.
   */
  private Path maildir(Node v, String path, Optional<String> user) throws ConfigException {
    Path dir = absolutePath(v, path);
    // Another user's Maildir may be out of popfetch's sight; the agent, as that user, reports.
    if (checkFiles && user.isEmpty()) {
      for (Path p = dir; p != null; p = p.getParent()) {
        if (Files.exists(p)) {
          if (!Files.isDirectory(p)) {
            throw error(path, line(v), p + " is a file, not a directory");
          }
          break;
        }
      }
    }
    return dir;
  }
}
