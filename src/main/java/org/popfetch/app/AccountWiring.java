package org.popfetch.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.popfetch.config.AccountConfig;
import org.popfetch.config.ConfigException;
import org.popfetch.config.DeliverConfig;
import org.popfetch.config.HostPort;
import org.popfetch.config.MultidropConfig;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.config.QueueConfig;
import org.popfetch.config.Route;
import org.popfetch.config.RuleConfig;
import org.popfetch.config.SecretResolver;
import org.popfetch.config.Switches;
import org.popfetch.delivery.FieldMatch;
import org.popfetch.delivery.ForwardDestination;
import org.popfetch.delivery.MaildirDestination;
import org.popfetch.delivery.MboxDestination;
import org.popfetch.delivery.PipeDestination;
import org.popfetch.delivery.RoutedDestination;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.DeliveryLedger;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.FetchPolicy;
import org.popfetch.fetch.Pop3Account;
import org.popfetch.fetch.ScopeAdoption;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.message.HeaderRewrite;
import org.popfetch.message.Recipients;
import org.popfetch.multidrop.MultidropDestination;
import org.popfetch.multidrop.RecipientMap;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.pop3.TlsMode;
import org.popfetch.queue.MailQueue;
import org.popfetch.queue.QueuePolicy;
import org.popfetch.queue.QueueRunner;
import org.popfetch.sasl.CredentialSource;
import org.popfetch.sasl.Credentials;
import org.popfetch.smtp.MxResolver;
import org.popfetch.smtp.SmtpSettings;
import org.popfetch.smtp.SmtpTimeouts;

/**
 * Turns an account's configuration into the engine's objects. An account's secret is read either
 * now or at each login (see {@link SecretCredentials}); an SMTP route's, when the route is built.
 */
final class AccountWiring {
  private AccountWiring() {}

  /**
   * The account with its secret read now, once: for the one-shot commands and {@code config check},
   * so that a secret that cannot be had is one line before any network traffic.
   *
   * @throws ConfigException if the secret cannot be had ("account NAME: KEY: ...")
   */
  static Pop3Account account(AccountConfig a) throws ConfigException {
    return account(a, new SecretCredentials(a).resolve());
  }

  /**
   * The account with its credentials: for an {@code oauth:} account, its tokens from {@code oauth}
   * (an access token is asked for at the login, never here; with {@link AccountRun.Secrets#NOW} the
   * client secret is read now); otherwise its secret read now or at each login.
   *
   * @throws ConfigException if a secret read now cannot be had ("account NAME: KEY: ...")
   */
  static Pop3Account account(
      AccountConfig a, PopfetchConfig config, AccountRun.Secrets secrets, OAuthAccounts oauth)
      throws ConfigException {
    if (a.oauth().isPresent()) {
      return account(a, oauth.credentials(a, config.state().directory(), secrets));
    }
    return secrets == AccountRun.Secrets.NOW ? account(a) : accountAskingAtEachLogin(a);
  }

  /** The account with its secret read at each login (the service): nothing is resolved here. */
  static Pop3Account accountAskingAtEachLogin(AccountConfig a) {
    return account(a, new SecretCredentials(a));
  }

  static Pop3Account account(AccountConfig a, CredentialSource credentials) {
    TlsTrust trust = new TlsTrust(a.caFile(), a.fingerprint());
    Pop3Settings settings =
        new Pop3Settings(
            a.server(),
            a.port(),
            a.tls(),
            trust,
            new Timeouts(a.timeout(), a.timeout()),
            // "tls: none" has to be written out; that is the explicit permission.
            a.tls() == TlsMode.NONE,
            a.switches().lineEndings(),
            Pop3Settings.DEFAULT_PIPELINE_WINDOW);
    String mailbox = a.user().contains("@") ? a.user() : a.user() + "@" + a.server();
    Switches sw = a.switches();
    return new Pop3Account(
        a.name(),
        settings,
        credentials,
        a.auth(),
        mailbox,
        a.recipientHeader(),
        a.scope(),
        new HeaderRewrite(sw.received(), sw.deliveredTo(), sw.dropDeliveredTo(), sw.dropStatus()));
  }

  /**
   * Lets each account take over the state an earlier version stored for it without the port, where
   * that is unambiguous (see {@link ScopeAdoption}). Every account of the file counts, not only
   * those about to be polled.
   *
   * @throws IOException if the store fails
   */
  static ScopeAdoption.Report adoptOldState(PopfetchConfig config, SeenUidStore store)
      throws IOException {
    return ScopeAdoption.adopt(
        store,
        config.accounts().stream()
            .map(a -> new ScopeAdoption.Claim(a.name(), a.scope(), a.scopeBeforePorts()))
            .toList());
  }

  static FetchPolicy policy(AccountConfig a) {
    return new FetchPolicy(
            a.keep(),
            a.deleteAfter(),
            a.maxSize(),
            a.fetchLimit(),
            FetchPolicy.DEFAULT_BATCH_MESSAGES,
            FetchPolicy.DEFAULT_BATCH_OCTETS)
        .withOversize(a.preDownload().oversize())
        .withFullListingEvery(a.fullListingEvery());
  }

  /** Opens one configured destination. */
  @FunctionalInterface
  interface Opener {
    Destination open(DeliverConfig d) throws DeliveryException;
  }

  static Destination destination(AccountConfig a, PopfetchConfig config, MailQueue queue)
      throws DeliveryException {
    return destination(a, config, queue, localHost(), DeliveryLedger.NONE);
  }

  /**
   * The account's destination, with {@code host} as this machine's name (in Maildir file names and
   * trace headers).
   *
   * @throws DeliveryException if it cannot be set up (a Maildir that cannot be made, a link)
   */
  static Destination destination(
      AccountConfig a, PopfetchConfig config, MailQueue queue, String host)
      throws DeliveryException {
    return destination(a, config, queue, host, DeliveryLedger.NONE);
  }

  /**
   * The account's destination for one poll: its rules and deliver block, and for a multidrop
   * mailbox each user's destination.
   *
   * @param host this machine's name (in Maildir file names and trace headers)
   * @param ledger where a multidrop dedupe across accounts remembers Message-IDs
   * @throws DeliveryException if it cannot be set up (a Maildir that cannot be made, a link)
   */
  static Destination destination(
      AccountConfig a, PopfetchConfig config, MailQueue queue, String host, DeliveryLedger ledger)
      throws DeliveryException {
    Destination own = destination(a, config, d -> destination(d, config, queue, host), host);
    if (a.multidrop().isEmpty()) {
      return own;
    }
    MultidropConfig m = a.multidrop().get();
    Map<String, Destination> users = new LinkedHashMap<>();
    for (Map.Entry<String, DeliverConfig> u : m.users().entrySet()) {
      users.put(u.getKey(), destination(u.getValue(), config, queue, host));
    }
    Set<String> local = new LinkedHashSet<>(m.localDomains());
    local.addAll(m.aka());
    return new MultidropDestination(
        new RecipientMap(local, m.map(), users.keySet(), m.stripPrefix()),
        m.envelope().stream()
            .map(e -> new Recipients.EnvelopeHeader(e.header(), e.skip()))
            .toList(),
        users,
        m.postmaster(),
        own,
        spoolDir(config),
        host,
        ledger,
        m.dedupe().acrossAccounts() ? Optional.of(m.dedupe().keep()) : Optional.empty(),
        Clock.systemUTC());
  }

  /**
   * The account's destination with its rules, each configured destination made by {@code opener}
   * (explain passes one that only names them, so nothing is created or opened).
   */
  static Destination destination(AccountConfig a, PopfetchConfig config, Opener opener)
      throws DeliveryException {
    return destination(a, config, opener, localHost());
  }

  /** The account's deliver block, behind its rules if it has any. */
  private static Destination destination(
      AccountConfig a, PopfetchConfig config, Opener opener, String host) throws DeliveryException {
    Destination fallback = opener.open(a.deliver());
    if (a.rules().isEmpty()) {
      return fallback;
    }
    List<RoutedDestination.Rule> rules = new ArrayList<>();
    for (int i = 0; i < a.rules().size(); i++) {
      RuleConfig r = a.rules().get(i);
      FieldMatch when = new FieldMatch(source(r.source()), r.header(), kind(r.kind()), r.pattern());
      List<RoutedDestination.Target> targets = new ArrayList<>();
      for (RuleConfig.Target t : r.deliver()) {
        if (!t.folder().isEmpty() && t.destination() instanceof DeliverConfig.Maildir m) {
          targets.add(
              new RoutedDestination.Target.Folder(
                  m.path(),
                  t.folder(),
                  m.user().isPresent()
                      ? Optional.of(AgentWiring.folders(m.user().get(), spoolDir(config)))
                      : Optional.empty()));
        } else {
          targets.add(new RoutedDestination.Target.Fixed(opener.open(t.destination())));
        }
      }
      String label = "rule " + (i + 1) + ": " + ConfigText.match(r);
      rules.add(new RoutedDestination.Rule(when, targets, disposition(r.disposition()), label));
    }
    return new RoutedDestination(rules, fallback, spoolDir(config), host);
  }

  private static Destination destination(
      DeliverConfig d, PopfetchConfig config, MailQueue queue, String host)
      throws DeliveryException {
    if (d instanceof DeliverConfig.Smtp smtp) {
      return new ForwardDestination(queue, smtp.route().id(), smtp.route()::idFor, smtp.to());
    }
    if (d instanceof DeliverConfig.Maildir m) {
      return m.user().isPresent()
          ? AgentWiring.maildir(m, spoolDir(config))
          : new MaildirDestination(m.path(), host);
    }
    if (d instanceof DeliverConfig.Mbox m) {
      return m.user().isPresent()
          ? AgentWiring.mbox(m, spoolDir(config))
          : new MboxDestination(m.path(), spoolDir(config));
    }
    DeliverConfig.Pipe p = (DeliverConfig.Pipe) d;
    return new PipeDestination(p.argv(), p.timeout(), spoolDir(config), p.user(), p.allowRoot());
  }

  /**
   * Every SMTP/LMTP destination of the configuration, as queue routes keyed by {@link Route#id()}
   * (secrets resolved).
   *
   * @throws ConfigException if a secret cannot be had or the resolver cannot be used
   */
  static Map<String, QueueRunner.Route> routes(PopfetchConfig config) throws ConfigException {
    return routes(config, AccountRun.Secrets.NOW);
  }

  /**
   * As {@link #routes(PopfetchConfig)}, with the passwords read now or at each login.
   *
   * @throws ConfigException if a secret read now cannot be had, or the resolver cannot be used
   */
  static Map<String, QueueRunner.Route> routes(PopfetchConfig config, AccountRun.Secrets secrets)
      throws ConfigException {
    Map<String, QueueRunner.Route> routes = new LinkedHashMap<>();
    SmtpTimeouts timeouts = smtpTimeouts(config.queue().smtpTimeouts());
    for (AccountConfig a : config.accounts()) {
      List<DeliverConfig> all = new ArrayList<>();
      all.add(a.deliver());
      a.rules().forEach(r -> r.deliver().forEach(t -> all.add(t.destination())));
      a.multidrop().ifPresent(m -> all.addAll(m.users().values()));
      for (DeliverConfig d : all) {
        if (d instanceof DeliverConfig.Smtp s && !routes.containsKey(s.route().id())) {
          routes.put(s.route().id(), route(s, timeouts, config, secrets));
        }
      }
    }
    return routes;
  }

  /** The configured waits, each one not set taken from RFC 5321's. */
  static SmtpTimeouts smtpTimeouts(QueueConfig.SmtpWaits set) {
    SmtpTimeouts rfc = SmtpTimeouts.RFC_5321;
    return new SmtpTimeouts(
        set.connect().orElse(rfc.connect()),
        set.reply().orElse(rfc.reply()),
        set.dataDone().orElse(rfc.dataDone()));
  }

  private static QueueRunner.Route route(
      DeliverConfig.Smtp s,
      SmtpTimeouts timeouts,
      PopfetchConfig config,
      AccountRun.Secrets secrets)
      throws ConfigException {
    SmtpSettings.Tls tls = tls(s.tls());
    SmtpSettings settings =
        new SmtpSettings(
            s.host(),
            s.port(),
            tls,
            new TlsTrust(s.caFile(), s.fingerprint()),
            timeouts,
            localHost(),
            s.route() instanceof Route.Lmtp,
            tls == SmtpSettings.Tls.NONE);
    Optional<CredentialSource> credentials = Optional.empty();
    if (s.user().isPresent()) {
      credentials =
          Optional.of(
              secrets == AccountRun.Secrets.NOW
                  ? new Credentials.Password(
                      s.user().get(), SecretResolver.resolve(s.password().orElseThrow()))
                  : new SecretCredentials(s.host(), s.user().get(), s.password().orElseThrow()));
    }
    Optional<MxResolver> mx = Optional.empty();
    if (s.route() instanceof Route.Mx) {
      try {
        Optional<InetSocketAddress> server = config.queue().resolver().map(HostPort::socketAddress);
        mx = Optional.of(new MxResolver(server, Duration.ofSeconds(10)));
      } catch (UnknownHostException e) {
        throw new ConfigException("queue: resolver: " + e.getMessage(), e);
      }
    }
    return new QueueRunner.Route(settings, credentials, mx);
  }

  private static RoutedDestination.Disposition disposition(RuleConfig.Disposition d) {
    return new RoutedDestination.Disposition(
        switch (d.action()) {
          case DELIVER -> RoutedDestination.Disposition.Kind.DELIVER;
          case SKIP -> RoutedDestination.Disposition.Kind.SKIP;
          case DELETE -> RoutedDestination.Disposition.Kind.DELETE;
        },
        d.maxSize(),
        d.oversize());
  }

  private static FieldMatch.Source source(RuleConfig.Source source) {
    return switch (source) {
      case HEADER -> FieldMatch.Source.HEADER;
      case RECIPIENT -> FieldMatch.Source.RECIPIENT;
      case SENDER -> FieldMatch.Source.SENDER;
    };
  }

  private static FieldMatch.Kind kind(RuleConfig.Kind kind) {
    return switch (kind) {
      case IS -> FieldMatch.Kind.IS;
      case GLOB -> FieldMatch.Kind.GLOB;
      case REGEX -> FieldMatch.Kind.REGEX;
    };
  }

  private static SmtpSettings.Tls tls(DeliverConfig.Tls tls) {
    return switch (tls) {
      case IMPLICIT -> SmtpSettings.Tls.IMPLICIT;
      case STARTTLS -> SmtpSettings.Tls.STARTTLS;
      case NONE -> SmtpSettings.Tls.NONE;
    };
  }

  /** The kind of destination an account delivers to, for metrics: "routed" when it has rules. */
  static String destinationKind(AccountConfig a) {
    if (!a.rules().isEmpty()) {
      return "routed";
    }
    DeliverConfig d = a.deliver();
    if (d instanceof DeliverConfig.Maildir) {
      return "maildir";
    } else if (d instanceof DeliverConfig.Mbox) {
      return "mbox";
    } else if (d instanceof DeliverConfig.Pipe) {
      return "pipe";
    }
    return "smtp";
  }

  static boolean forwards(PopfetchConfig config) {
    return config.accounts().stream().anyMatch(AccountWiring::forwards);
  }

  /** Whether any of the account's mail may go through the forwarding queue. */
  static boolean forwards(AccountConfig a) {
    return a.deliver() instanceof DeliverConfig.Smtp
        || a.multidrop().stream()
            .anyMatch(
                m -> m.users().values().stream().anyMatch(DeliverConfig.Smtp.class::isInstance))
        || a.rules().stream()
            .anyMatch(
                r ->
                    r.deliver().stream()
                        .anyMatch(t -> t.destination() instanceof DeliverConfig.Smtp));
  }

  static QueuePolicy queuePolicy(PopfetchConfig config) {
    QueueConfig q = config.queue();
    return new QueuePolicy(
        q.minBackoff(),
        q.maxBackoff(),
        q.lifetime(),
        q.bounceToSender(),
        q.postmaster(),
        localHost(),
        q.delayWarning());
  }

  /** The Maildir that keeps messages a destination refused for good. */
  static Destination quarantine(PopfetchConfig config) throws DeliveryException {
    return quarantine(config, localHost());
  }

  /** The quarantine, with {@code host} as this machine's name. */
  static Destination quarantine(PopfetchConfig config, String host) throws DeliveryException {
    return new MaildirDestination(config.quarantine(), host);
  }

  /** Private scratch space next to the state store, for messages on their way to mbox or pipe. */
  static Path spoolDir(PopfetchConfig config) {
    return config.state().directory().resolve("spool");
  }

  /** Where Linux keeps the machine's name, as gethostname(2) gives it. */
  static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

  /**
   * This machine's name, for Maildir file names, Received lines and the name said to an SMTP
   * server: the kernel's, the one {@link InetAddress#getLocalHost} names too, but read without
   * asking a resolver for its address first. On a machine whose own name no resolver knows, that
   * lookup cost every poll the resolver's timeout before it connected (and a delivery agent, which
   * has no network, always got "localhost"). The kernel takes any bytes as its name: one that is
   * not a host name ({@link #isHostName}) is not used, as the resolver did not take it.
   */
  static String localHost() {
    return localHost(KERNEL_HOSTNAME);
  }

  /** As {@link #localHost()}, with the kernel's name read from {@code kernelName}. */
  static String localHost(Path kernelName) {
    try {
      String name = Files.readString(kernelName).strip();
      if (isHostName(name)) {
        return name;
      }
    } catch (IOException e) {
      // Not Linux, or /proc not mounted: the JDK's way below.
    }
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return name != null && isHostName(name) ? name : "localhost";
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /**
   * Whether {@code name} is a host name as RFC 1123 (section 2.1) writes one: labels of letters,
   * digits and hyphens, none starting or ending with a hyphen, at most 63 characters each, joined
   * by dots, 253 in all. Such a name goes into an EHLO line, a bounce's From and a Maildir file
   * name as it is.
   */
  static boolean isHostName(String name) {
    if (name.isEmpty() || name.length() > 253) {
      return false;
    }
    int label = 0;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '.') {
        if (label == 0 || name.charAt(i - 1) == '-') {
          return false;
        }
        label = 0;
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        label++;
      } else if (c == '-' && label > 0) {
        label++;
      } else {
        return false;
      }
      if (label > 63) {
        return false;
      }
    }
    return label > 0 && name.charAt(name.length() - 1) != '-';
  }
}
