package org.popfetch.migrate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.popfetch.net.LogText;

/**
 * Turns a parsed {@code .fetchmailrc} into popfetch's YAML: one account per user entry of each
 * poll, the {@code defaults} already applied by the parser.
 *
 * <p>What has a popfetch equivalent becomes a key; what popfetch does anyway passes with a note;
 * what has none is listed as not translated, with its line, on the account it belongs to. Passwords
 * never enter the YAML: each becomes a secret file, referenced as {@code password: { file: ... }}.
 * Nothing named in the file is run; a delivery program is only looked up on the search path.
 */
final class RcTranslator {
  /** POP3 flavours fetchmail speaks that popfetch does not, and the IMAP family. */
  private static final Set<String> OTHER_PROTOCOLS =
      Set.of("pop2", "rpop", "kpop", "sdps", "imap", "imap-k4", "imap-gss", "etrn", "odmr");

  /** Characters that make an mda command need a shell to mean what it says. */
  private static final Pattern SHELL = Pattern.compile("[|&;<>()$`\\\\\"'*?\\[\\]{}~#!\\n]");

  private static final Pattern ACCOUNT_CHARS = Pattern.compile("[^A-Za-z0-9._-]+");
  private static final Pattern SHELL_SAFE_NAME = Pattern.compile("[A-Za-z0-9._@+-]+");

  private final String file;
  private final Path secretsDir;
  private final String localUser;
  private final Function<String, Optional<Path>> programs;
  private final List<Note> notes = new ArrayList<>();
  private final Map<Path, String> secrets = new LinkedHashMap<>();
  private final Set<String> names = new HashSet<>();
  private final StringBuilder yaml = new StringBuilder();
  private long daemonSeconds;
  private Optional<String> postmaster = Optional.empty();

  /** {@code set invisible}: no Received field, in every account. */
  private boolean invisible;

  /**
   * @param file the {@code .fetchmailrc}'s name, for the header comment
   * @param secretsDir an absolute directory for the secret files
   * @param localUser the login fetchmail would have run as (its default local and remote name)
   * @param programs finds a delivery program named without a path on the search path
   */
  RcTranslator(
      String file, Path secretsDir, String localUser, Function<String, Optional<Path>> programs) {
    this.file = file;
    this.secretsDir = secretsDir;
    this.localUser = localUser;
    this.programs = programs;
  }

  Translation translate(FetchmailRc rc) {
    yaml.append("# popfetch configuration translated from ")
        .append(YamlText.comment(file))
        .append(" by popfetch import fetchmailrc.\n")
        .append("# Check it with: popfetch config check --config THIS-FILE\n");
    settings(
        rc.settings(),
        rc.polls().stream()
            .anyMatch(p -> p.users().stream().anyMatch(FetchmailRc.User::multidrop)));
    for (Note n : notes) {
      yaml.append("# line ")
          .append(n.line())
          .append(n.untranslated() ? ": NOT TRANSLATED: " : ": note: ")
          .append(n.text())
          .append('\n');
    }
    if (daemonSeconds > 0) {
      yaml.append("defaults:\n  interval: ").append(Math.max(10, daemonSeconds)).append("s\n");
    }
    yaml.append("accounts:\n");
    int before = yaml.length();
    for (FetchmailRc.Poll poll : rc.polls()) {
      poll(poll);
    }
    if (yaml.length() == before) {
      yaml.append("  []\n");
    }
    return new Translation(yaml.toString(), secrets, notes);
  }

  /**
   * @param multidrop whether some entry is multidrop, for which set postmaster has a meaning here
   */
  private void settings(List<RcOption> settings, boolean multidrop) {
    for (RcOption s : settings) {
      switch (s.name()) {
        case "daemon" -> daemonSeconds = Long.parseLong(s.value());
        case "postmaster" -> {
          postmaster = Optional.of(s.value());
          global(
              s,
              multidrop
                  ? "the postmaster of each multidrop account (multidrop: postmaster:)"
                  : "popfetch has a postmaster only for multidrop accounts",
              !multidrop);
        }
        case "logfile" ->
            global(
                s,
                "popfetch logs to standard error (the journal under systemd), not to a file",
                true);
        case "invisible" -> {
          invisible = !s.negated();
          if (invisible) {
            global(
                s,
                "received: false in each account; popfetch does not also pretend to the MTA that"
                    + " the mail came straight from the mail server",
                false);
          }
        }
        case "idfile" ->
            global(
                s,
                "import what fetchmail remembers with: popfetch import seen --from fetchmail "
                    + LogText.sanitize(s.value(), 200),
                false);
        case "syslog" ->
            global(
                s, "popfetch run logs to the journal under systemd, which reaches syslog", false);
        default -> global(s, "not needed by popfetch; ignored", false);
      }
    }
    if (settings.stream().noneMatch(s -> s.name().equals("daemon"))) {
      notes.add(
          new Note(
              1,
              "",
              "no \"set daemon\": popfetch poll polls once, as fetchmail did; popfetch run polls"
                  + " every 5m unless an interval is set",
              false));
    }
  }

  private void global(RcOption s, String text, boolean untranslated) {
    notes.add(
        new Note(
            s.line(), "", "set " + LogText.sanitize(s.shown(), 200) + ": " + text, untranslated));
  }

  private void poll(FetchmailRc.Poll poll) {
    String proto = poll.last("proto").map(o -> o.value().toLowerCase(Locale.ROOT)).orElse("auto");
    if (OTHER_PROTOCOLS.contains(proto)) {
      Note n =
          new Note(
              poll.line(),
              "",
              "poll "
                  + LogText.sanitize(poll.name(), 200)
                  + " (proto "
                  + LogText.sanitize(proto, 40)
                  + "): popfetch speaks POP3 only",
              true);
      notes.add(n);
      yaml.append("  # line ").append(n.line()).append(": NOT TRANSLATED: ").append(n.text());
      yaml.append('\n');
      return;
    }
    for (FetchmailRc.User user : poll.users()) {
      new AccountText(poll, user, proto).write();
    }
  }

  /** One account: a poll entry's server options and one of its users. */
  private final class AccountText {
    private final FetchmailRc.Poll poll;
    private final FetchmailRc.User user;
    private final String proto;
    private final String name;
    private final List<String> keys = new ArrayList<>();
    private final List<Note> mine = new ArrayList<>();

    AccountText(FetchmailRc.Poll poll, FetchmailRc.User user, String proto) {
      this.poll = poll;
      this.user = user;
      this.proto = proto;
      this.name = accountName(poll, user);
    }

    void write() {
      key("name", YamlText.quote(name));
      String server = poll.last("via").map(RcOption::value).orElse(poll.name());
      key("server", YamlText.quote(server));
      server();
      String remote = user.remote().orElse(localUser);
      if (user.remote().isEmpty()) {
        note(
            user.line(),
            "no user: fetchmail logs in as the local login, here "
                + LogText.sanitize(localUser, 64),
            false);
      }
      tls();
      key("user", YamlText.quote(remote));
      password();
      mailboxOptions();
      deliver();
      yaml.append("  - ").append(keys.get(0)).append('\n');
      for (String k : keys.subList(1, keys.size())) {
        yaml.append("    ").append(k).append('\n');
      }
      mine.sort(Comparator.comparingInt(Note::line));
      for (Note n : mine) {
        yaml.append("    # line ")
            .append(n.line())
            .append(n.untranslated() ? ": NOT TRANSLATED: " : ": note: ")
            .append(n.text())
            .append('\n');
      }
      notes.addAll(mine);
    }

    private void key(String key, String value) {
      keys.add(key + ": " + value);
    }

    private void note(int line, String text, boolean untranslated) {
      mine.add(new Note(line, name, text, untranslated));
    }

    private void untranslated(RcOption o, String why) {
      note(o.line(), LogText.sanitize(o.shown(), 200) + ": " + why, true);
    }

    private void info(RcOption o, String why) {
      note(o.line(), LogText.sanitize(o.shown(), 200) + ": " + why, false);
    }

    private void server() {
      if (poll.skip()) {
        note(
            poll.line(),
            "skip: fetchmail polls this entry only when it is named on its command line; popfetch"
                + " polls every account",
            true);
      }
      switch (proto) {
        case "auto" ->
            note(
                poll.line(),
                "proto auto (the default): fetchmail tried IMAP before POP3; popfetch speaks POP3",
                false);
        case "apop" -> key("auth", "apop");
        default -> {}
      }
      poll.last("port").or(() -> poll.last("service")).ifPresent(this::port);
      poll.last("timeout")
          .ifPresent(
              o -> {
                long s = Long.parseLong(o.value());
                if (s >= 1 && s <= 3600) {
                  key("timeout", s + "s");
                } else {
                  untranslated(o, "popfetch's timeout is 1s to 1h");
                }
              });
      poll.last("interval").ifPresent(this::interval);
      poll.last("auth").ifPresent(this::auth);
      for (RcOption o : poll.options()) {
        switch (o.name()) {
          case "uidl" -> info(o, "popfetch always tracks messages by UIDL");
          case "dns", "checkalias" -> info(o, "popfetch does no DNS checks of addresses");
          case "plugin", "plugout" ->
              untranslated(o, "popfetch never runs a command to make its connections");
          case "interface", "monitor" ->
              untranslated(o, "popfetch does not watch network interfaces");
          case "principal" -> untranslated(o, "popfetch has no Kerberos");
          case "esmtpname", "esmtppassword" ->
              untranslated(o, "add user: and password: to the smtp destination by hand");
          case "tracepolls" ->
              untranslated(o, "popfetch adds no poll trace to the Received header");
          case "bad-header" -> untranslated(o, "popfetch delivers messages with bad headers as is");
          case "localdomains", "aka", "qvirtual", "envelope" -> {
            if (!user.multidrop()) {
              info(o, "fetchmail uses it only for multidrop entries; ignored");
            }
          }
          default -> {}
        }
      }
    }

    private void port(RcOption o) {
      String v = o.value().toLowerCase(Locale.ROOT);
      Integer port =
          switch (v) {
            case "pop3", "pop-3" -> 110;
            case "pop3s" -> 995;
            default -> {
              try {
                int p = Integer.parseInt(v);
                yield p >= 1 && p <= 65535 ? p : null;
              } catch (NumberFormatException e) {
                yield null;
              }
            }
          };
      if (port == null) {
        untranslated(o, "not a port number popfetch knows");
      } else {
        key("port", String.valueOf(port));
      }
    }

    private void interval(RcOption o) {
      long every = Long.parseLong(o.value());
      if (daemonSeconds <= 0) {
        untranslated(o, "\"interval\" counts \"set daemon\" cycles, and there is no set daemon");
      } else if (every > 1) {
        key("interval", Math.max(10, every * daemonSeconds) + "s");
      }
    }

    private void auth(RcOption o) {
      switch (o.value().toLowerCase(Locale.ROOT)) {
        case "any" -> {}
        case "password" -> key("auth", "user");
        case "cram-md5" -> key("auth", "cram-md5");
        case "apop" -> key("auth", "apop");
        default -> untranslated(o, "popfetch has no such login method; it uses auth: auto");
      }
    }

    private void tls() {
      Optional<RcOption> ssl = user.last("ssl").filter(o -> !o.negated());
      Optional<RcOption> sslproto = user.last("sslproto");
      if (ssl.isPresent()) {
        key("tls", "implicit");
        sslproto.ifPresent(o -> info(o, "popfetch uses TLS 1.2 or later"));
      } else if (sslproto.isPresent() && sslproto.get().value().isEmpty()) {
        key("tls", "none");
        info(sslproto.get(), "no TLS, as the file says: the password is sent in clear text");
      } else {
        key("tls", "starttls");
        note(
            sslproto.map(RcOption::line).orElse(poll.line()),
            "fetchmail used STARTTLS when the server offered it; popfetch insists on it (write"
                + " tls: none to allow clear text)",
            false);
      }
      for (RcOption o : user.options()) {
        switch (o.name()) {
          case "sslcertck" -> {
            if (o.negated()) {
              info(
                  o,
                  "popfetch always checks the server certificate (trust it with ca-file: or pin"
                      + " it with fingerprint:)");
            }
          }
          case "sslcertfile" -> {
            if (o.value().startsWith("/")) {
              key("ca-file", YamlText.quote(o.value()));
            } else {
              untranslated(o, "ca-file: needs an absolute path");
            }
          }
          case "sslfingerprint" -> fingerprint(o);
          case "sslcertpath" ->
              untranslated(o, "popfetch trusts a CA directory only through the system store");
          case "sslcommonname" ->
              untranslated(o, "popfetch checks the server name; pin the certificate instead");
          case "sslkey", "sslcert" -> untranslated(o, "popfetch has no client certificates");
          default -> {}
        }
      }
    }

    private void fingerprint(RcOption o) {
      String hex = o.value().replaceFirst("(?i)^sha256:", "").replace(":", "");
      if (hex.length() == 64 && hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
        StringBuilder colons = new StringBuilder("sha256:");
        byte[] bytes = HexFormat.of().parseHex(hex);
        colons.append(HexFormat.ofDelimiter(":").withUpperCase().formatHex(bytes));
        key("fingerprint", YamlText.quote(colons.toString()));
      } else {
        untranslated(
            o,
            "popfetch pins a certificate by its SHA-256 (openssl x509 -noout -fingerprint"
                + " -sha256); this is not one");
      }
    }

    private void password() {
      Optional<RcOption> password = user.last("password");
      Path secret = secretsDir.resolve(name + ".pass");
      if (password.isEmpty()) {
        note(
            user.line(),
            "no password: fetchmail asked for it or read ~/.netrc; write it into "
                + LogText.sanitize(secret.toString()),
            true);
      } else if (password.get().value().chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
        untranslated(password.get(), "a password with a line break cannot be sent by POP3");
      } else {
        secrets.put(secret, password.get().value());
      }
      key("password", "{ file: " + YamlText.quote(secret.toString()) + " }");
    }

    private void mailboxOptions() {
      boolean keep = user.last("keep").map(o -> !o.negated()).orElse(false);
      key("keep", String.valueOf(keep));
      if (invisible) {
        key("received", "false");
      }
      // The last word counts, as for keep: "dropstatus" then "no dropstatus" is off.
      user.last("dropdelivered")
          .filter(o -> !o.negated())
          .ifPresent(o -> key("drop-delivered-to", "true"));
      user.last("dropstatus").filter(o -> !o.negated()).ifPresent(o -> key("drop-status", "true"));
      user.last("limit")
          .filter(o -> Long.parseLong(o.value()) > 0)
          .ifPresent(o -> key("max-size", o.value()));
      user.last("fetchlimit")
          .filter(o -> Long.parseLong(o.value()) > 0)
          .ifPresent(o -> key("fetch-limit", o.value()));
      for (RcOption o : user.options()) {
        if (o.negated()) {
          continue;
        }
        switch (o.name()) {
          case "fetchall" ->
              untranslated(o, "popfetch fetches only what it has not seen; it never fetches again");
          case "flush" ->
              untranslated(
                  o,
                  "popfetch deletes what it fetched (keep: false), or after a while (keep: true"
                      + " with delete-after:)");
          case "limitflush" ->
              untranslated(o, "popfetch leaves messages over max-size on the server");
          case "mimedecode" -> untranslated(o, "popfetch delivers messages as they are");
          case "rewrite" -> info(o, "popfetch never rewrites addresses in headers");
          case "stripcr", "forcecr", "pass8bits" ->
              info(o, "popfetch writes each destination's own line endings");
          case "idle" -> info(o, "IMAP only; ignored");
          case "folder" -> untranslated(o, "POP3 has no folders");
          case "fetchdomains" -> untranslated(o, "ETRN and ODMR only");
          case "antispam" -> untranslated(o, "popfetch does not deliver by SMTP inline");
          case "preconnect", "postconnect" ->
              untranslated(o, "popfetch never runs a command from the old configuration");
          case "warnings", "batchlimit", "fetchsizelimit", "fastuidl", "expunge", "properties" ->
              info(o, "not needed by popfetch; ignored");
          default -> {}
        }
      }
    }

    private void deliver() {
      Optional<RcOption> mda = user.last("mda");
      Optional<RcOption> bsmtp = user.last("bsmtp");
      if (mda.isPresent()) {
        mda(mda.get());
      } else if (bsmtp.isPresent()) {
        untranslated(bsmtp.get(), "popfetch writes no BSMTP batches");
      } else {
        smtp();
      }
      multidrop();
    }

    private void multidrop() {
      if (!user.multidrop()) {
        return;
      }
      Optional<String> deliver =
          keys.stream().filter(k -> k.startsWith("deliver: ")).findFirst().map(k -> k.substring(9));
      if (deliver.isEmpty()) {
        note(user.line(), "multidrop without a destination: no multidrop: block written", true);
        return;
      }
      StringBuilder block = new StringBuilder("\n");
      List<String> users = new ArrayList<>();
      List<String> map = new ArrayList<>();
      boolean star = false;
      for (String local : user.locals()) {
        if (local.equals("*")) {
          star = true;
        } else {
          addUser(users, local);
        }
      }
      for (String pair : user.mapped()) {
        int eq = pair.indexOf('=');
        String remote = pair.substring(0, eq);
        String local = pair.substring(eq + 1);
        if (addUser(users, local)) {
          map.add(YamlText.quote(remote.toLowerCase(Locale.ROOT)) + ": " + YamlText.quote(local));
        }
      }
      if (star) {
        // fetchmail passes the names it does not know through to the listener as they are.
        users.add("passthrough");
        map.add("\"*\": \"passthrough\"");
      }
      List<String> local = new ArrayList<>();
      List<String> aka = new ArrayList<>(List.of(poll.name().toLowerCase(Locale.ROOT)));
      for (RcOption o : poll.options()) {
        switch (o.name()) {
          case "envelope" -> {
            if (o.negated()) {
              info(o, "the recipients come from To and Cc (Resent-To and Resent-Cc first)");
            } else {
              String header = o.args().get(o.args().size() - 1).text();
              String skip = o.args().size() == 2 ? o.args().get(0).text() : "0";
              if (header.equalsIgnoreCase("Received")) {
                untranslated(
                    o, "popfetch reads no recipient from Received lines; To and Cc are used");
              } else {
                block
                    .append("      envelope: [ { header: ")
                    .append(YamlText.quote(header))
                    .append(", skip: ")
                    .append(skip.matches("[0-9]{1,2}") ? skip : "0")
                    .append(" } ]\n");
              }
            }
          }
          case "localdomains" ->
              o.args().forEach(a -> local.add(a.text().toLowerCase(Locale.ROOT)));
          case "aka" -> o.args().forEach(a -> aka.add(a.text().toLowerCase(Locale.ROOT)));
          case "qvirtual" ->
              block.append("      strip-prefix: ").append(YamlText.quote(o.value())).append('\n');
          default -> {}
        }
      }
      if (!local.isEmpty()) {
        block.append("      local-domains: ").append(YamlText.list(local)).append('\n');
      }
      block.append("      aka: ").append(YamlText.list(aka)).append('\n');
      if (!map.isEmpty()) {
        block.append("      map: { ").append(String.join(", ", map)).append(" }\n");
      }
      if (postmaster.isPresent() && addUser(users, postmaster.get())) {
        block
            .append("      postmaster: ")
            .append(YamlText.quote(postmaster.get().toLowerCase(Locale.ROOT)))
            .append('\n');
      }
      block.append("      users:");
      for (String u : users) {
        String target = u.equals("passthrough") ? deliver.get() : forUser(deliver.get(), u);
        block.append("\n        ").append(YamlText.quote(u)).append(": ").append(target);
      }
      keys.add("multidrop:" + block);
      note(
          user.line(),
          "multidrop to "
              + LogText.sanitize(String.join(" ", users), 200)
              + ": each user's destination is the entry's own, for that user; what is for nobody"
              + " goes to deliver:",
          false);
    }

    /** Adds a local name to the users, if popfetch can take it as one; says so if not. */
    private boolean addUser(List<String> users, String name) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!lower.matches("[a-z0-9._][a-z0-9._-]{0,31}")) {
        note(
            user.line(),
            "local name " + LogText.sanitize(name, 64) + ": not a user name popfetch takes",
            true);
        return false;
      }
      if (!users.contains(lower)) {
        users.add(lower);
      }
      return true;
    }

    /** The entry's destination for one user: the placeholder, or the SMTP recipient, set. */
    private String forUser(String deliver, String name) {
      if (deliver.contains("%{recipient}")) {
        return deliver.replace("%{recipient}", name);
      }
      if (deliver.startsWith("{ smtp: ") && !deliver.contains(" to: ")) {
        return deliver.substring(0, deliver.length() - 4)
            + ", to: "
            + YamlText.list(List.of(name + "@localhost"))
            + " } }";
      }
      return deliver;
    }

    /** The single local name, or empty for multidrop. */
    private Optional<String> singleLocal() {
      if (user.multidrop()) {
        return Optional.empty();
      }
      return Optional.of(user.locals().isEmpty() ? localUser : user.locals().get(0));
    }

    private void mda(RcOption o) {
      String command = o.value().strip();
      Optional<String> local = singleLocal();
      if (command.isEmpty()) {
        untranslated(o, "an empty command");
        return;
      }
      if (SHELL.matcher(command).find() || command.split("\\s+")[0].contains("=")) {
        shellMda(o, command, local);
        return;
      }
      List<String> argv = new ArrayList<>();
      for (String word : command.split("\\s+")) {
        String arg = placeholder(word, local);
        if (arg == null) {
          untranslated(
              o,
              "%T or %F inside other text: popfetch replaces only a whole argument"
                  + " (%{recipient}, %{sender})");
          return;
        }
        argv.add(arg);
      }
      String program = argv.get(0);
      if (!program.startsWith("/")) {
        Optional<Path> found = programs.apply(program);
        if (found.isEmpty()) {
          untranslated(o, "the program is not on the search path here; write its absolute path");
          return;
        }
        argv.set(0, found.get().toString());
        info(o, "the program found at " + LogText.sanitize(found.get().toString()));
      }
      key("deliver", "{ pipe: " + YamlText.list(argv) + " }");
      info(
          o,
          "run without a shell; popfetch runs no pipe as root unless it names user: or"
              + " allow-root: true");
    }

    /** A whole word that is %T or %F becomes its placeholder; null if one is inside text. */
    private String placeholder(String word, Optional<String> local) {
      switch (word) {
        case "%T", "%t" -> {
          return local.orElse("%{recipient}");
        }
        case "%F", "%f" -> {
          return "%{sender}";
        }
        default -> {}
      }
      String replaced = word.replace("%%", "");
      if (!replaced.contains("%")) {
        return word.replace("%%", "%");
      }
      if (local.isPresent() && !replaced.matches(".*%[^Tt].*")) {
        return word.replace("%T", local.get()).replace("%t", local.get()).replace("%%", "%");
      }
      return null;
    }

    private void shellMda(RcOption o, String command, Optional<String> local) {
      String text = command;
      if (text.replace("%%", "").contains("%")) {
        if (local.isPresent()
            && SHELL_SAFE_NAME.matcher(local.get()).matches()
            && !text.replace("%%", "").matches("(?s).*%[^Tt].*")) {
          text = text.replace("%T", local.get()).replace("%t", local.get());
        } else {
          untranslated(
              o,
              "a shell command with %T or %F cannot be made safe without a shell; write a pipe"
                  + " with %{recipient} or %{sender} as whole arguments");
          return;
        }
      }
      text = text.replace("%%", "%");
      key("deliver", "{ pipe: " + YamlText.list(List.of("/bin/sh", "-c", text)) + " }");
      untranslated(
          o,
          "uses shell syntax, so it runs through /bin/sh as fetchmail ran it: review it, or"
              + " write the program and its arguments as a list");
    }

    private void smtp() {
      List<String> hosts =
          user.last("smtphost")
              .map(o -> o.args().stream().map(RcToken::text).toList())
              .orElse(List.of("localhost"));
      int line = user.last("smtphost").map(RcOption::line).orElse(user.line());
      if (hosts.size() > 1) {
        note(
            line,
            "smtphost "
                + LogText.sanitize(String.join(" ", hosts), 200)
                + ": popfetch forwards to one host (the first); its queue retries it",
            true);
      }
      boolean lmtp = user.last("lmtp").map(o -> !o.negated()).orElse(false);
      String host = hosts.get(0);
      Integer port = null;
      String domain;
      if (host.startsWith("/")) {
        domain = "localhost";
      } else {
        int slash = host.indexOf('/');
        if (slash >= 0) {
          try {
            port = Integer.parseInt(host.substring(slash + 1));
          } catch (NumberFormatException e) {
            note(line, "smtphost " + LogText.sanitize(host, 200) + ": not a port after /", true);
            return;
          }
          host = host.substring(0, slash);
        } else if (!lmtp) {
          port = 25;
        }
        domain = host;
      }
      if (lmtp && !host.startsWith("/") && port == null) {
        note(line, "lmtp to " + LogText.sanitize(host, 200) + " without a port", true);
        return;
      }
      domain = user.last("smtpaddress").map(RcOption::value).orElse(domain);
      StringBuilder smtp = new StringBuilder("{ smtp: { host: ").append(YamlText.quote(host));
      if (port != null) {
        smtp.append(", port: ").append(port);
      }
      if (lmtp) {
        smtp.append(", lmtp: true");
      }
      if (host.startsWith("/") || host.equalsIgnoreCase("localhost") || host.startsWith("127.")) {
        smtp.append(", tls: none");
      }
      Optional<String> smtpname = user.last("smtpname").map(RcOption::value);
      Optional<String> local = singleLocal();
      if (smtpname.isPresent()) {
        smtp.append(", to: ").append(YamlText.list(List.of(smtpname.get())));
      } else if (local.isPresent()) {
        String to = local.get().contains("@") ? local.get() : local.get() + "@" + domain;
        smtp.append(", to: ").append(YamlText.list(List.of(to)));
      }
      key("deliver", smtp.append(" } }").toString());
      if (user.last("smtphost").isEmpty()) {
        note(
            user.line(),
            "no mda or smtphost: forwarded to the SMTP server on localhost, as fetchmail did",
            false);
      }
    }
  }

  private String accountName(FetchmailRc.Poll poll, FetchmailRc.User user) {
    String base = ACCOUNT_CHARS.matcher(poll.name()).replaceAll("-");
    if (poll.users().size() > 1) {
      base = base + "-" + ACCOUNT_CHARS.matcher(user.remote().orElse(localUser)).replaceAll("-");
    }
    base = base.replaceAll("^[-.]+", "");
    if (base.isEmpty()) {
      base = "account";
    }
    if (base.length() > 60) {
      base = base.substring(0, 60);
    }
    String name = base;
    for (int i = 2; !names.add(name.toLowerCase(Locale.ROOT)); i++) {
      name = base + "-" + i;
    }
    return name;
  }
}
