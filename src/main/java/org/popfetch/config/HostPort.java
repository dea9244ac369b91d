package org.popfetch.config;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A host and a port read from the configuration, parsed once. An IPv6 address is written in
 * brackets ("[::1]:9105") and kept without them.
 *
 * @param host a name or an address literal, without brackets
 * @param port 1..65535
 */
public record HostPort(String host, int port) {
  private static final Pattern FORM =
      Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)\\]|([0-9A-Za-z.:-]+)):([0-9]{1,5})");

  public HostPort {
    if (host.isEmpty() || port < 1 || port > 65535) {
      throw new IllegalArgumentException("not a host and port: " + host + " " + port);
    }
  }

  /** "host:port", "1.2.3.4:port" or "[v6]:port" with a port 1..65535; empty for anything else. */
  public static Optional<HostPort> parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    int port = Integer.parseInt(m.group(3));
    if (port < 1 || port > 65535) {
      return Optional.empty();
    }
    return Optional.of(new HostPort(m.group(1) != null ? m.group(1) : m.group(2), port));
  }

  /** The address to bind or connect to; the name is looked up now. */
  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(host, port);
  }

  /** As written in the configuration: "host:port", with brackets around an IPv6 address. */
  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
