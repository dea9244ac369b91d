package org.popfetch.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads an account's {@code oauth:} block: a preset (microsoft, google) with its client id, or a
 * generic server with its endpoints, scope and flow. Endpoints are https, except on the loopback
 * host, so that a refresh token never crosses a network in the clear.
 */
final class OAuthSection extends YamlReader {
  private static final List<String> KEYS =
      List.of(
          "provider",
          "client-id",
          "tenant",
          "client-secret",
          "token-endpoint",
          "device-endpoint",
          "authorization-endpoint",
          "scope",
          "flow");

  /** The keys only a generic provider takes: a preset knows its own. */
  private static final List<String> GENERIC_KEYS =
      List.of("token-endpoint", "device-endpoint", "authorization-endpoint", "scope", "flow");

  private static final Set<String> LOOPBACK_HOSTS =
      Set.of("127.0.0.1", "[::1]", "::1", "localhost");

  /** Printable ASCII without spaces: a client id goes into a form field and a URL. */
  private static final Pattern CLIENT_ID = Pattern.compile("[!-~]{1,256}");

  /** As Microsoft's login URL takes it: common, organizations, consumers, a domain or a GUID. */
  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9.-]{1,100}");

  /** Scope tokens are printable ASCII but '"' and '\' (RFC 6749 section 3.3), space-separated. */
  private static final Pattern SCOPE = Pattern.compile("[!#-\\[\\]-~]+( [!#-\\[\\]-~]+)*");

  private final SecretSection secrets;

  OAuthSection(Path source, SecretSection secrets) {
    super(source);
    this.secrets = secrets;
  }

  /** The block at {@code path}; a {@link ConfigException} names the key that is wrong. */
  OAuthConfig read(Node node, String path) throws ConfigException {
    Map<String, Entry> e = mapping(node, path, KEYS);
    Entry providerAt = required(e, "provider", path, node);
    OAuthConfig.Provider provider = provider(providerAt);
    Entry clientIdAt = required(e, "client-id", path, node);
    String clientId = string(clientIdAt.value(), clientIdAt.path()).strip();
    if (!CLIENT_ID.matcher(clientId).matches()) {
      throw error(
          clientIdAt.path(),
          clientIdAt.line(),
          "expected the client id of the application registration (printable, no spaces), got "
              + quote(clientId));
    }
    Optional<String> tenant = Optional.empty();
    Entry tenantAt = e.get("tenant");
    if (tenantAt != null) {
      if (provider != OAuthConfig.Provider.MICROSOFT) {
        throw error(tenantAt.path(), tenantAt.line(), "only provider microsoft has a tenant");
      }
      String t = string(tenantAt.value(), tenantAt.path()).strip();
      if (!TENANT.matcher(t).matches()) {
        throw error(
            tenantAt.path(),
            tenantAt.line(),
            "expected common, organizations, consumers, a domain name or a tenant id, got "
                + quote(t));
      }
      tenant = Optional.of(t);
    } else if (provider == OAuthConfig.Provider.MICROSOFT) {
      tenant = Optional.of(OAuthConfig.DEFAULT_TENANT);
    }
    Optional<Secret> clientSecret = Optional.empty();
    if (e.containsKey("client-secret")) {
      Entry s = e.get("client-secret");
      clientSecret = Optional.of(secrets.read(s.value(), s.path()));
    }
    if (provider != OAuthConfig.Provider.GENERIC) {
      for (String key : GENERIC_KEYS) {
        Entry at = e.get(key);
        if (at != null) {
          throw error(
              at.path(),
              at.line(),
              "provider "
                  + providerName(provider)
                  + " knows its own endpoints, scope and flow; "
                  + key
                  + " is for provider generic");
        }
      }
      return new OAuthConfig(
          provider,
          clientId,
          tenant,
          clientSecret,
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty());
    }
    return generic(e, path, node, clientId, clientSecret);
  }

  private OAuthConfig generic(
      Map<String, Entry> e, String path, Node node, String clientId, Optional<Secret> secret)
      throws ConfigException {
    URI token = endpoint(required(e, "token-endpoint", path, node));
    Optional<URI> device = optionalEndpoint(e.get("device-endpoint"));
    Optional<URI> authorization = optionalEndpoint(e.get("authorization-endpoint"));
    Entry scopeAt = required(e, "scope", path, node);
    String scope = string(scopeAt.value(), scopeAt.path()).strip();
    if (scope.length() > 1000 || !SCOPE.matcher(scope).matches()) {
      throw error(
          scopeAt.path(),
          scopeAt.line(),
          "expected space-separated scopes such as \"pop3 offline_access\", got " + quote(scope));
    }
    Entry flowAt = e.get("flow");
    OAuthConfig.Flow flow;
    if (flowAt != null) {
      flow = flow(flowAt);
    } else if (device.isPresent()) {
      flow = OAuthConfig.Flow.DEVICE;
    } else if (authorization.isPresent()) {
      flow = OAuthConfig.Flow.LOOPBACK;
    } else {
      throw error(
          path,
          line(node),
          "provider generic needs device-endpoint (flow device) or authorization-endpoint"
              + " (flow loopback)");
    }
    if (flow == OAuthConfig.Flow.DEVICE && device.isEmpty()) {
      throw error(
          flowAt.path(), flowAt.line(), "flow device needs device-endpoint, which is missing");
    }
    if (flow == OAuthConfig.Flow.LOOPBACK && authorization.isEmpty()) {
      throw error(
          flowAt.path(),
          flowAt.line(),
          "flow loopback needs authorization-endpoint, which is missing");
    }
    return new OAuthConfig(
        OAuthConfig.Provider.GENERIC,
        clientId,
        Optional.empty(),
        secret,
        Optional.of(token),
        device,
        authorization,
        Optional.of(scope),
        Optional.of(flow));
  }

  private Entry required(Map<String, Entry> e, String key, String path, Node node)
      throws ConfigException {
    Entry at = e.get(key);
    if (at == null) {
      throw error(path, line(node), "missing required key '" + key + "'");
    }
    return at;
  }

  private OAuthConfig.Provider provider(Entry at) throws ConfigException {
    String text = string(at.value(), at.path());
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "microsoft" -> OAuthConfig.Provider.MICROSOFT;
      case "google" -> OAuthConfig.Provider.GOOGLE;
      case "generic" -> OAuthConfig.Provider.GENERIC;
      default ->
          throw error(
              at.path(), at.line(), "expected microsoft, google or generic, got " + quote(text));
    };
  }

  private OAuthConfig.Flow flow(Entry at) throws ConfigException {
    String text = string(at.value(), at.path());
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "device" -> OAuthConfig.Flow.DEVICE;
      case "loopback" -> OAuthConfig.Flow.LOOPBACK;
      default ->
          throw error(at.path(), at.line(), "expected device or loopback, got " + quote(text));
    };
  }

  static String providerName(OAuthConfig.Provider p) {
    return p.name().toLowerCase(Locale.ROOT);
  }

  private Optional<URI> optionalEndpoint(Entry at) throws ConfigException {
    return at == null ? Optional.empty() : Optional.of(endpoint(at));
  }

  /** An absolute https URL (http only on the loopback host), without user info or fragment. */
  private URI endpoint(Entry at) throws ConfigException {
    String text = string(at.value(), at.path()).strip();
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException ex) {
      throw error(at.path(), at.line(), "expected an https URL, got " + quote(text));
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost();
    if (!(scheme.equals("https") || scheme.equals("http"))
        || host == null
        || uri.getRawUserInfo() != null
        || uri.getRawFragment() != null) {
      throw error(at.path(), at.line(), "expected an https URL, got " + quote(text));
    }
    if (scheme.equals("http") && !LOOPBACK_HOSTS.contains(host.toLowerCase(Locale.ROOT))) {
      throw error(
          at.path(),
          at.line(),
          "must be https (the token and the client secret would cross the network in the clear),"
              + " got "
              + quote(text));
    }
    return uri;
  }
}
