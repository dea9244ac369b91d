package org.popfetch.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.popfetch.config.YamlReader.Entry;
import org.popfetch.net.TlsTrust;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a {@code deliver: { smtp: {...} }} destination: a smarthost, an LMTP server or direct
 * delivery to MX hosts, with its TLS mode, login, fixed recipients and trust.
 */
final class SmtpSection {
  private static final List<String> KEYS =
      List.of(
          "host", "port", "tls", "user", "password", "to", "lmtp", "ca-file", "fingerprint", "mx");

  /**
   * A forwarding address as it will go into RCPT TO: no whitespace, no angle brackets and no
   * control character (C0, DEL or C1), any of which could end or split the SMTP command.
   */
  private static final Pattern ADDRESS =
      Pattern.compile("[^\\s<>\\x00-\\x1f\\x7f-\\x9f]+@[^\\s<>\\x00-\\x1f\\x7f-\\x9f]+");

  private final YamlReader yaml;
  private final SecretSection secrets;

  SmtpSection(YamlReader yaml, SecretSection secrets) {
    this.yaml = yaml;
    this.secrets = secrets;
  }

  /** The destination under {@code d}; a {@link ConfigException} names the first wrong key. */
  DeliverConfig.Smtp read(Entry d) throws ConfigException {
    Map<String, Entry> m = yaml.mapping(d.value(), d.path(), KEYS);
    boolean mx = flag(m, "mx");
    if (mx == m.containsKey("host")) {
      throw yaml.error(
          d.path(),
          d.line(),
          "name a host (a smarthost) or set mx: true"
              + " (each recipient's MX hosts), one of the two");
    }
    String host = mx ? "mx" : yaml.string(m.get("host").value(), m.get("host").path()).strip();
    boolean lmtp = flag(m, "lmtp");
    DeliverConfig.Tls tls = tls(m, host);
    int port =
        m.containsKey("port")
            ? yaml.integer(m.get("port").value(), m.get("port").path(), 1, 65535)
            : lmtp ? 24 : tls == DeliverConfig.Tls.IMPLICIT ? 465 : 25;
    if (lmtp && port == 25) {
      throw yaml.error(d.path(), d.line(), "LMTP must not run on port 25 (RFC 2033)");
    }
    Optional<String> user =
        m.containsKey("user")
            ? Optional.of(yaml.string(m.get("user").value(), m.get("user").path()).strip())
            : Optional.empty();
    Optional<Secret> password =
        m.containsKey("password")
            ? Optional.of(secrets.read(m.get("password").value(), m.get("password").path()))
            : Optional.empty();
    if (user.isPresent() != password.isPresent()) {
      throw yaml.error(d.path(), d.line(), "user and password go together");
    }
    List<String> to = recipients(m.get("to"));
    Optional<Path> caFile =
        m.containsKey("ca-file")
            ? Optional.of(yaml.absolutePath(m.get("ca-file").value(), m.get("ca-file").path()))
            : Optional.empty();
    Optional<byte[]> fingerprint = fingerprint(m.get("fingerprint"));
    if (mx && (lmtp || user.isPresent())) {
      throw yaml.error(
          d.path(), d.line(), "direct delivery to MX hosts speaks SMTP without a login");
    }
    return new DeliverConfig.Smtp(
        host, port, tls, user, password, to, lmtp, caFile, fingerprint, mx);
  }

  private boolean flag(Map<String, Entry> m, String key) throws ConfigException {
    return m.containsKey(key) && yaml.bool(m.get(key).value(), m.get(key).path());
  }

  /** A relay on this machine is reached without TLS by default; any other host needs STARTTLS. */
  private DeliverConfig.Tls tls(Map<String, Entry> m, String host) throws ConfigException {
    Entry e = m.get("tls");
    if (e == null) {
      boolean local =
          host.equals("localhost")
              || host.equals("127.0.0.1")
              || host.equals("::1")
              || host.startsWith("/");
      return local ? DeliverConfig.Tls.NONE : DeliverConfig.Tls.STARTTLS;
    }
    String text = yaml.string(e.value(), e.path()).strip();
    return switch (text) {
      case "implicit" -> DeliverConfig.Tls.IMPLICIT;
      case "starttls" -> DeliverConfig.Tls.STARTTLS;
      case "none" -> DeliverConfig.Tls.NONE;
      default ->
          throw yaml.error(
              e.path(),
              YamlReader.line(e.value()),
              "expected implicit, starttls or none, got " + YamlReader.quote(text));
    };
  }

  private List<String> recipients(Entry e) throws ConfigException {
    List<String> to = new ArrayList<>();
    if (e == null) {
      return to;
    }
    if (!(e.value() instanceof SequenceNode seq)) {
      throw yaml.error(e.path(), YamlReader.line(e.value()), "expected a list of addresses");
    }
    for (int i = 0; i < seq.getValue().size(); i++) {
      String path = e.path() + "[" + i + "]";
      String a = yaml.string(seq.getValue().get(i), path).strip();
      if (!ADDRESS.matcher(a).matches()) {
        throw yaml.error(
            path,
            YamlReader.line(seq.getValue().get(i)),
            "expected an address, got " + YamlReader.quote(a));
      }
      to.add(a);
    }
    return to;
  }

  private Optional<byte[]> fingerprint(Entry e) throws ConfigException {
    if (e == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(TlsTrust.parseFingerprint(yaml.string(e.value(), e.path())));
    } catch (IllegalArgumentException bad) {
      throw yaml.error(e.path(), YamlReader.line(e.value()), bad.getMessage());
    }
  }
}
