package org.popfetch.migrate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.popfetch.net.LogText;

/**
 * Reads the words of a {@code .fetchmailrc} into a {@link FetchmailRc}, following the grammar of
 * fetchmail's manual: {@code set} statements, {@code poll}/{@code skip} entries with server options
 * and then user entries, and {@code defaults} entries whose options apply to every later entry. The
 * noise words {@code and with has wants options} are skipped wherever they appear; {@code no
 * KEYWORD} and {@code noKEYWORD} negate a switch.
 *
 * <p>It is as strict as fetchmail: an unknown keyword, a missing value or a number that is not one
 * ends the parse with "FILE:LINE: problem". It interprets nothing; {@link RcTranslator} does.
 */
final class RcParser {
  /** What an option takes after its keyword. */
  private enum Arity {
    FLAG,
    ONE,
    NUMBER,
    LIST,
    ENVELOPE
  }

  private enum Scope {
    SERVER,
    USER
  }

  private record Spec(String name, Scope scope, Arity arity) {}

  private static final Map<String, Spec> OPTIONS = new HashMap<>();

  private static void option(Scope scope, Arity arity, String name, String... aliases) {
    Spec spec = new Spec(name, scope, arity);
    OPTIONS.put(name, spec);
    for (String a : aliases) {
      OPTIONS.put(a, spec);
    }
  }

  static {
    Scope s = Scope.SERVER;
    option(s, Arity.ONE, "via");
    option(s, Arity.ONE, "proto", "protocol");
    option(s, Arity.LIST, "localdomains", "local");
    option(s, Arity.ONE, "port");
    option(s, Arity.ONE, "service");
    option(s, Arity.ONE, "auth", "authenticate");
    option(s, Arity.NUMBER, "timeout");
    option(s, Arity.ENVELOPE, "envelope");
    option(s, Arity.ONE, "qvirtual");
    option(s, Arity.LIST, "aka");
    option(s, Arity.ONE, "interface");
    option(s, Arity.ONE, "monitor");
    option(s, Arity.ONE, "plugin");
    option(s, Arity.ONE, "plugout");
    option(s, Arity.FLAG, "dns");
    option(s, Arity.FLAG, "checkalias");
    option(s, Arity.FLAG, "uidl");
    option(s, Arity.NUMBER, "interval");
    option(s, Arity.FLAG, "tracepolls");
    option(s, Arity.ONE, "principal");
    option(s, Arity.ONE, "esmtpname");
    option(s, Arity.ONE, "esmtppassword");
    option(s, Arity.ONE, "bad-header");
    Scope u = Scope.USER;
    option(u, Arity.ONE, "password", "pass");
    option(u, Arity.LIST, "folder");
    option(u, Arity.LIST, "smtphost", "smtphosts");
    option(u, Arity.LIST, "fetchdomains");
    option(u, Arity.ONE, "smtpaddress");
    option(u, Arity.ONE, "smtpname");
    option(u, Arity.LIST, "antispam");
    option(u, Arity.ONE, "mda");
    option(u, Arity.ONE, "bsmtp");
    option(u, Arity.FLAG, "lmtp");
    option(u, Arity.ONE, "preconnect");
    option(u, Arity.ONE, "postconnect");
    for (String flag :
        List.of(
            "keep",
            "flush",
            "limitflush",
            "fetchall",
            "rewrite",
            "forcecr",
            "stripcr",
            "pass8bits",
            "mimedecode",
            "idle",
            "dropstatus",
            "dropdelivered",
            "ssl",
            "sslcertck")) {
      option(u, Arity.FLAG, flag);
    }
    for (String number :
        List.of(
            "limit",
            "warnings",
            "batchlimit",
            "fetchlimit",
            "fetchsizelimit",
            "fastuidl",
            "expunge")) {
      option(u, Arity.NUMBER, number);
    }
    for (String one :
        List.of(
            "properties",
            "sslkey",
            "sslcert",
            "sslproto",
            "sslcertfile",
            "sslcertpath",
            "sslcommonname",
            "sslfingerprint")) {
      option(u, Arity.ONE, one);
    }
  }

  /** The {@code set} statements and what each takes. */
  private static final Map<String, Arity> SETTINGS =
      Map.ofEntries(
          Map.entry("daemon", Arity.NUMBER),
          Map.entry("postmaster", Arity.ONE),
          Map.entry("logfile", Arity.ONE),
          Map.entry("idfile", Arity.ONE),
          Map.entry("pidfile", Arity.ONE),
          Map.entry("properties", Arity.ONE),
          Map.entry("syslog", Arity.FLAG),
          Map.entry("invisible", Arity.FLAG),
          Map.entry("bouncemail", Arity.FLAG),
          Map.entry("spambounce", Arity.FLAG),
          Map.entry("softbounce", Arity.FLAG),
          Map.entry("showdots", Arity.FLAG));

  private static final List<String> NOISE = List.of("and", "with", "has", "wants", "options");
  private static final List<String> STATEMENTS = List.of("poll", "skip", "defaults", "set");
  private static final List<String> USER_WORDS =
      List.of("user", "username", "is", "to", "here", "there", "no");

  /** More poll or user entries than this are refused. */
  static final int MAX_ENTRIES = 10_000;

  private final String file;
  private final List<RcToken> tokens;
  private int pos;
  private int entries;

  private RcParser(String file, List<RcToken> tokens) {
    this.file = file;
    this.tokens = tokens;
  }

  /**
   * Parses a whole {@code .fetchmailrc}.
   *
   * @param file the name used in errors
   * @throws RcSyntaxException at the first word fetchmail would refuse
   */
  static FetchmailRc parse(String file, String text) throws RcSyntaxException {
    return new RcParser(file, RcLexer.tokens(file, text)).rc();
  }

  private FetchmailRc rc() throws RcSyntaxException {
    List<RcOption> settings = new ArrayList<>();
    List<FetchmailRc.Poll> polls = new ArrayList<>();
    List<RcOption> defaultServer = new ArrayList<>();
    List<RcOption> defaultUser = new ArrayList<>();
    while (pos < tokens.size()) {
      RcToken t = next();
      switch (t.keyword()) {
        case "set" -> settings.add(setting(t));
        case "poll", "skip" -> {
          RcToken name = value(t, "poll");
          polls.add(entry(name.text(), t.is("skip"), t.line(), defaultServer, defaultUser));
        }
        case "defaults" -> {
          FetchmailRc.Poll d = entry("defaults", false, t.line(), defaultServer, defaultUser);
          defaultServer = new ArrayList<>(d.options());
          defaultUser = new ArrayList<>();
          for (FetchmailRc.User user : d.users()) {
            defaultUser.addAll(user.options());
          }
        }
        default -> throw error(t, "expected poll, skip, defaults or set, got " + shown(t));
      }
    }
    return new FetchmailRc(settings, polls);
  }

  private RcOption setting(RcToken set) throws RcSyntaxException {
    RcToken t = value(set, "set");
    boolean negated = false;
    if (t.is("no")) {
      negated = true;
      t = value(t, "set no");
    }
    Arity arity = SETTINGS.get(t.keyword());
    if (arity == null || (negated && arity != Arity.FLAG)) {
      throw error(t, "unknown setting " + shown(t));
    }
    return new RcOption(t.keyword(), args(t, t.keyword(), arity), negated, t.line());
  }

  /** A poll, skip or defaults entry: server options, then users, up to the next statement. */
  private FetchmailRc.Poll entry(
      String name, boolean skip, int line, List<RcOption> defaultServer, List<RcOption> defaultUser)
      throws RcSyntaxException {
    if (++entries > MAX_ENTRIES) {
      throw new RcSyntaxException(file, line, "more than " + MAX_ENTRIES + " entries");
    }
    List<RcOption> server = new ArrayList<>(defaultServer);
    List<UserBuilder> users = new ArrayList<>();
    UserBuilder current = null;
    while (pos < tokens.size() && !isStatement(peek())) {
      RcToken t = next();
      String word = t.keyword();
      if (t.quoted()) {
        throw error(t, "expected a keyword, got " + shown(t));
      }
      if (NOISE.contains(word) || word.equals("there")) {
        continue;
      }
      if (word.equals("user") || word.equals("username")) {
        if (++entries > MAX_ENTRIES) {
          throw new RcSyntaxException(file, t.line(), "more than " + MAX_ENTRIES + " entries");
        }
        List<RcOption> inherited = defaultUser;
        if (current != null && current.name == null && current.locals.isEmpty()) {
          // User options written before the first user: fetchmail's grammar wants them after,
          // but they can only mean the entry's users, so they go first in each.
          users.remove(current);
          inherited = current.options;
        } else if (!users.isEmpty() && users.get(0).prefix != null) {
          inherited = users.get(0).prefix;
        }
        current = new UserBuilder(t.line(), value(t, word).text(), inherited);
        current.prefix = inherited;
        users.add(current);
        if (pos < tokens.size() && peek().is("here")) {
          next();
          current.reversed = true;
        }
        continue;
      }
      if (current == null && (word.equals("is") || word.equals("to") || userScope(t))) {
        current = new UserBuilder(t.line(), null, defaultUser);
        users.add(current);
      }
      if (word.equals("here")) {
        continue;
      }
      if (word.equals("is") || word.equals("to")) {
        names(t, current);
        continue;
      }
      RcOption o = option(t);
      if (OPTIONS.get(o.name()).scope() == Scope.USER) {
        current.options.add(o);
      } else {
        server.add(o);
      }
    }
    if (users.isEmpty()) {
      users.add(new UserBuilder(line, null, defaultUser));
    }
    List<FetchmailRc.User> built = new ArrayList<>();
    for (UserBuilder b : users) {
      built.add(b.build());
    }
    return new FetchmailRc.Poll(name, skip, line, server, built);
  }

  private boolean userScope(RcToken t) {
    String word = t.keyword();
    if (word.equals("no") && pos < tokens.size()) {
      word = peek().keyword();
    } else if (word.startsWith("no") && !OPTIONS.containsKey(word)) {
      word = word.substring(2);
    }
    Spec spec = OPTIONS.get(word);
    return spec != null && spec.scope() == Scope.USER;
  }

  private RcOption option(RcToken t) throws RcSyntaxException {
    boolean negated = false;
    RcToken key = t;
    if (t.is("no")) {
      negated = true;
      key = value(t, "no");
    } else if (t.keyword().startsWith("no")
        && !OPTIONS.containsKey(t.keyword())
        && OPTIONS.containsKey(t.keyword().substring(2))) {
      negated = true;
      key = new RcToken(t.text().substring(2), false, t.line());
    }
    Spec spec = OPTIONS.get(key.keyword());
    if (spec == null) {
      throw error(key, "unknown keyword " + shown(key));
    }
    if (negated && spec.arity() != Arity.FLAG && spec.arity() != Arity.ENVELOPE) {
      throw error(key, "\"no\" cannot go before " + spec.name());
    }
    List<RcToken> args = negated ? List.of() : args(key, spec.name(), spec.arity());
    return new RcOption(spec.name(), args, negated, t.line());
  }

  private List<RcToken> args(RcToken key, String name, Arity arity) throws RcSyntaxException {
    return switch (arity) {
      case FLAG -> List.of();
      case ONE -> List.of(value(key, name));
      case NUMBER -> {
        RcToken n = value(key, name);
        if (!n.isNumber()) {
          throw error(n, name + " needs a number, got " + shown(n));
        }
        yield List.of(n);
      }
      case LIST -> {
        List<RcToken> list = new ArrayList<>();
        while (pos < tokens.size() && !isKeyword(peek())) {
          list.add(next());
          if (list.size() > MAX_ENTRIES) {
            throw error(key, "more than " + MAX_ENTRIES + " values after " + name);
          }
        }
        if (list.isEmpty()) {
          throw error(key, name + " needs at least one value");
        }
        yield list;
      }
      case ENVELOPE -> {
        List<RcToken> list = new ArrayList<>();
        RcToken v = value(key, name);
        list.add(v);
        if (v.isNumber()) {
          list.add(value(v, name));
        }
        yield list;
      }
    };
  }

  /** The local names after is/to: names, {@code *}, {@code remote = local}; up to a keyword. */
  private void names(RcToken is, UserBuilder user) throws RcSyntaxException {
    int before = user.locals.size() + user.mapped.size();
    while (pos < tokens.size() && !isKeyword(peek())) {
      RcToken name = next();
      if (name.is("=")) {
        throw error(name, "\"=\" without a name before it");
      }
      if (pos < tokens.size() && peek().is("=")) {
        next();
        RcToken local = value(name, "=");
        user.mapped.add(name.text() + "=" + local.text());
      } else {
        user.locals.add(name.text());
      }
      if (user.locals.size() + user.mapped.size() > MAX_ENTRIES) {
        throw error(name, "more than " + MAX_ENTRIES + " local names");
      }
    }
    if (user.locals.size() + user.mapped.size() == before) {
      throw error(is, is.text() + " needs at least one local name");
    }
  }

  private boolean isStatement(RcToken t) {
    return !t.quoted() && STATEMENTS.contains(t.keyword());
  }

  private boolean isKeyword(RcToken t) {
    if (t.quoted()) {
      return false;
    }
    String w = t.keyword();
    return STATEMENTS.contains(w)
        || USER_WORDS.contains(w)
        || NOISE.contains(w)
        || OPTIONS.containsKey(w)
        || (w.startsWith("no") && OPTIONS.containsKey(w.substring(2)));
  }

  private RcToken next() {
    return tokens.get(pos++);
  }

  private RcToken peek() {
    return tokens.get(pos);
  }

  /** The word after {@code after}, which must be a value, not a statement. */
  private RcToken value(RcToken after, String what) throws RcSyntaxException {
    if (pos >= tokens.size() || isStatement(peek())) {
      throw error(after, what + " needs a value");
    }
    return next();
  }

  private RcSyntaxException error(RcToken at, String problem) {
    return new RcSyntaxException(LogText.sanitize(file), at.line(), problem);
  }

  private static String shown(RcToken t) {
    return "\"" + LogText.sanitize(t.text(), 80) + "\"";
  }

  private static final class UserBuilder {
    final int line;
    final String name;
    final List<String> locals = new ArrayList<>();
    final List<String> mapped = new ArrayList<>();
    final List<RcOption> options;
    List<RcOption> prefix;
    boolean reversed;

    UserBuilder(int line, String name, List<RcOption> defaults) {
      this.line = line;
      this.name = name;
      this.options = new ArrayList<>(defaults);
    }

    FetchmailRc.User build() {
      if (reversed && name != null) {
        // "user LOCAL here is REMOTE there": the names swap sides.
        List<String> locals = List.of(name);
        String remote = this.locals.isEmpty() ? null : this.locals.get(0);
        return new FetchmailRc.User(line, Optional.ofNullable(remote), locals, mapped, options);
      }
      return new FetchmailRc.User(line, Optional.ofNullable(name), locals, mapped, options);
    }
  }
}
