package org.popfetch.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A private Dovecot POP3 server on loopback for integration tests: its own config, base_dir, users
 * and test certificate, nothing shared with a system Dovecot. Mail is seeded by writing files
 * straight into each user's Maildir, byte for byte.
 *
 * <p>Needs root (Dovecot's master does) and the Debian packages dovecot-core and dovecot-pop3d,
 * which the build's pre-integration-test step installs.
 */
public final class DovecotServer implements AutoCloseable {
  private static final String MAIL_USER = "nobody";
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  // Only the bearer mechanisms reach the oauth2 passdb; a refused token does not fall through to
  // the password file.
  private static final String OAUTH2_PASSDB =
      """
      auth_verbose = yes
      passdb {
        driver = oauth2
        mechanisms = xoauth2 oauthbearer
        args = %s/oauth2.conf.ext
        result_failure = return-fail
      }
      """;

  // Every token is introspected (no tokeninfo step), and only "active": true is accepted.
  private static final String OAUTH2_SETTINGS =
      """
      introspection_mode = post
      introspection_url = %s
      force_introspection = yes
      username_attribute = username
      username_format = %%Ln
      active_attribute = active
      active_value = true
      timeout_msecs = 10000
      """;

  private final Path base;
  private final Process process;
  private final int pop3Port;
  private final int pop3sPort;
  private final int lmtpPort;
  private final UserPrincipal owner;
  private final GroupPrincipal group;

  private DovecotServer(
      Path base,
      Process process,
      int pop3Port,
      int pop3sPort,
      int lmtpPort,
      UserPrincipal owner,
      GroupPrincipal group) {
    this.base = base;
    this.process = process;
    this.pop3Port = pop3Port;
    this.pop3sPort = pop3sPort;
    this.lmtpPort = lmtpPort;
    this.owner = owner;
    this.group = group;
  }

  /** Fails with a clear message where the test peer cannot run. */
  public static void requireAvailable() {
    if (!Files.isExecutable(Path.of("/usr/sbin/dovecot"))
        || !Files.exists(Path.of("/usr/lib/dovecot/pop3"))
        || !Files.exists(Path.of("/usr/lib/dovecot/lmtp"))) {
      throw new IllegalStateException(
          "Dovecot is not installed: run `mvn verify` (its pre-integration-test step installs"
              + " dovecot-core, dovecot-pop3d and dovecot-lmtpd) or apt-get install them");
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException("the Dovecot integration tests must run as root");
    }
  }

  /**
   * Starts Dovecot with the given users (name to password) and server certificate.
   *
   * @param extraPop3Settings lines added to the {@code protocol pop3} block
   */
  public static DovecotServer start(
      Map<String, String> users, TestPki.Leaf certificate, String... extraPop3Settings)
      throws IOException, InterruptedException {
    return start(users, certificate, null, extraPop3Settings);
  }

  /**
   * Starts Dovecot whose XOAUTH2 and OAUTHBEARER logins are checked by its oauth2 passdb: each
   * bearer token is POSTed to {@code introspectionUrl} (RFC 7662, {@code token=...}) and accepted
   * when the answer is {@code "active": true} with {@code "username"} the login's user. Passwords
   * (PLAIN, LOGIN, USER/PASS) still work for the given users.
   */
  public static DovecotServer startWithOAuth2(
      Map<String, String> users, TestPki.Leaf certificate, URI introspectionUrl)
      throws IOException, InterruptedException {
    return start(users, certificate, introspectionUrl);
  }

  private static DovecotServer start(
      Map<String, String> users,
      TestPki.Leaf certificate,
      URI introspectionUrl,
      String... extraPop3Settings)
      throws IOException, InterruptedException {
    requireAvailable();
    Path base =
        Files.createTempDirectory(
            "popfetch-dovecot-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    UserPrincipalLookupService lookup = base.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal owner = lookup.lookupPrincipalByName(MAIL_USER);
    GroupPrincipal group = lookup.lookupPrincipalByGroupName("nogroup");
    int uid = uidOf(owner);

    Path mail = Files.createDirectories(base.resolve("mail"));
    setOwner(mail, owner, group);
    Path cert = base.resolve("cert.pem");
    Path key = base.resolve("key.pem");
    certificate.writePem(cert, key);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));

    StringBuilder passwd = new StringBuilder();
    // Users named "mbox..." keep their mail in an mbox file, ~/inbox, instead of a Maildir.
    users.forEach(
        (u, p) ->
            passwd
                .append(u)
                .append(":{PLAIN}")
                .append(p)
                .append(
                    u.startsWith("mbox")
                        ? "::::::userdb_mail=mbox:~/mail:INBOX=~/inbox\n"
                        : "::::::\n"));
    Files.writeString(base.resolve("users"), passwd);

    // Dovecot must be told its port numbers. Each is held (RefusingPort) until Dovecot listens:
    // Dovecot binds with address reuse and shares it, and no other program can take it between.
    RefusingPort pop3Held = new RefusingPort();
    RefusingPort pop3sHeld = new RefusingPort();
    RefusingPort lmtpHeld = new RefusingPort();
    int pop3 = pop3Held.port();
    int pop3s = pop3sHeld.port();
    int lmtp = lmtpHeld.port();
    String config =
        """
        instance_name = popfetch-test-%1$d
        base_dir = %2$s/run
        state_dir = %2$s/state
        protocols = pop3 lmtp
        listen = 127.0.0.1
        # LMTP recipients arrive as user@domain; the users here have no domain.
        auth_username_format = %%Ln
        log_path = %2$s/dovecot.log
        default_internal_user = dovecot
        default_login_user = dovenull
        first_valid_uid = %3$d
        last_valid_uid = %3$d
        ssl = yes
        ssl_cert = <%2$s/cert.pem
        ssl_key = <%2$s/key.pem
        ssl_dh = </usr/share/dovecot/dh.pem
        ssl_min_protocol = TLSv1.2
        disable_plaintext_auth = no
        auth_mechanisms = plain login%8$s
        %9$s
        passdb {
          driver = passwd-file
          args = scheme=PLAIN username_format=%%u %2$s/users
        }
        userdb {
          driver = passwd-file
          args = username_format=%%u %2$s/users
          default_fields = uid=%3$d gid=%3$d home=%2$s/mail/%%u
        }
        mail_location = maildir:~/Maildir
        protocol pop3 {
          pop3_uidl_format = %%08Xu%%08Xv
        %6$s
        }
        service lmtp {
          user = root
          unix_listener lmtp {
            mode = 0666
          }
          inet_listener lmtp {
            address = 127.0.0.1
            port = %7$d
          }
        }
        service pop3-login {
          inet_listener pop3 {
            address = 127.0.0.1
            port = %4$d
          }
          inet_listener pop3s {
            address = 127.0.0.1
            port = %5$d
            ssl = yes
          }
        }
        """
            .formatted(
                SEQUENCE.incrementAndGet(),
                base,
                uid,
                pop3,
                pop3s,
                String.join("\n", extraPop3Settings),
                lmtp,
                introspectionUrl == null ? "" : " xoauth2 oauthbearer",
                introspectionUrl == null ? "" : OAUTH2_PASSDB.formatted(base));
    if (introspectionUrl != null) {
      Files.writeString(
          base.resolve("oauth2.conf.ext"), OAUTH2_SETTINGS.formatted(introspectionUrl));
    }
    Path conf = base.resolve("dovecot.conf");
    Files.writeString(conf, config);
    Files.createDirectories(base.resolve("run"));
    Files.createDirectories(base.resolve("state"));
    for (String user : users.keySet()) {
      Path home = mail.resolve(user);
      for (String sub : List.of("tmp", "new", "cur")) {
        Files.createDirectories(home.resolve("Maildir").resolve(sub));
      }
      Files.createDirectories(home.resolve("mail"));
      try (Stream<Path> walk = Files.walk(home)) {
        for (Path p : walk.toList()) {
          setOwner(p, owner, group);
        }
      }
    }

    Process process =
        new ProcessBuilder("/usr/sbin/dovecot", "-F", "-c", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(base.resolve("dovecot-stdout.log").toFile())
            .start();
    DovecotServer server = new DovecotServer(base, process, pop3, pop3s, lmtp, owner, group);
    try {
      server.awaitListening();
    } finally {
      pop3Held.close();
      pop3sHeld.close();
      lmtpHeld.close();
    }
    return server;
  }

  private static int uidOf(UserPrincipal owner) throws IOException {
    Path probe = Files.createTempFile("uid", "");
    try {
      Files.setOwner(probe, owner);
      return (Integer) Files.getAttribute(probe, "unix:uid");
    } finally {
      Files.delete(probe);
    }
  }

  private void awaitListening() throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException("Dovecot exited at start:\n" + logs());
      }
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), pop3Port)) {
        s.setSoTimeout(5000);
        byte[] greeting = new byte[3];
        if (s.getInputStream().readNBytes(greeting, 0, 3) == 3
            && new String(greeting, StandardCharsets.US_ASCII).equals("+OK")) {
          return;
        }
      } catch (IOException notYet) {
        // The master has not opened its listener yet; poll again. Dovecot offers no readiness
        // signal in foreground mode, so polling the port is the only way to know.
      }
      process.waitFor(50, TimeUnit.MILLISECONDS);
    }
    throw new IOException("Dovecot did not start listening within 20s:\n" + logs());
  }

  public int pop3Port() {
    return pop3Port;
  }

  public int pop3sPort() {
    return pop3sPort;
  }

  /** Dovecot's LMTP service on a unix socket. */
  public Path lmtpSocket() {
    return base.resolve("run").resolve("lmtp");
  }

  /** Dovecot's LMTP service, delivering into the users' Maildirs. */
  public int lmtpPort() {
    return lmtpPort;
  }

  /** Places one message in the user's Maildir, exactly these bytes, and returns its file. */
  public Path deliver(String user, byte[] message) throws IOException {
    Path maildir = base.resolve("mail").resolve(user).resolve("Maildir");
    String name =
        System.currentTimeMillis()
            + ".M"
            + SEQUENCE.incrementAndGet()
            + "P"
            + ProcessHandle.current().pid()
            + ".popfetch-test";
    Path tmp = maildir.resolve("tmp").resolve(name);
    Files.write(tmp, message);
    setOwner(tmp, owner, group);
    return Files.move(tmp, maildir.resolve("new").resolve(name));
  }

  /** The user's home directory (an "mbox..." user's mail is the file "inbox" in it). */
  public Path home(String user) {
    return base.resolve("mail").resolve(user);
  }

  /** The user's Maildir, as Dovecot serves it. */
  public Path maildir(String user) {
    return base.resolve("mail").resolve(user).resolve("Maildir");
  }

  /** Hands a tree to the mail user, so Dovecot can serve files someone else wrote. */
  public void giveToMailUser(Path tree) throws IOException {
    try (Stream<Path> walk = Files.walk(tree)) {
      for (Path p : walk.toList()) {
        setOwner(p, owner, group);
      }
    }
  }

  /** How many messages the user's Maildir holds (new and cur). */
  public long messageCount(String user) throws IOException {
    Path maildir = base.resolve("mail").resolve(user).resolve("Maildir");
    long n = 0;
    for (String sub : List.of("new", "cur")) {
      try (Stream<Path> files = Files.list(maildir.resolve(sub))) {
        n += files.count();
      }
    }
    return n;
  }

  public String logs() {
    StringBuilder sb = new StringBuilder();
    for (String f : List.of("dovecot.log", "dovecot-stdout.log")) {
      try {
        sb.append(Files.readString(base.resolve(f)));
      } catch (IOException e) {
        // a log that was never written has nothing to add
      }
    }
    return sb.toString();
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    if (Boolean.getBoolean("popfetch.keepDovecot")) {
      return; // left for a look at its config and logs
    }
    try (Stream<Path> walk = Files.walk(base)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void setOwner(Path p, UserPrincipal owner, GroupPrincipal group)
      throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
    view.setOwner(owner);
    view.setGroup(group);
  }

  /** For tests that want the users map inline. */
  public static Map<String, String> users(String... nameAndPassword) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < nameAndPassword.length; i += 2) {
      m.put(nameAndPassword[i], nameAndPassword[i + 1]);
    }
    return m;
  }
}
