package org.popfetch.autoconfig;

import java.util.List;
import java.util.Optional;
import org.popfetch.pop3.TlsMode;

/**
 * A POP3 server found for an address.
 *
 * @param host the server's host name, checked to be one
 * @param port its port
 * @param tls how the connection is protected
 * @param user the login name to suggest
 * @param oauth the OAuth provider preset ("google", "microsoft") when the provider wants OAuth2
 * @param source where the answer came from, for the admin to judge it
 * @param warnings what the admin should check before trusting it
 */
public record Suggestion(
    String host,
    int port,
    TlsMode tls,
    String user,
    Optional<String> oauth,
    String source,
    List<String> warnings) {
  public Suggestion {
    warnings = List.copyOf(warnings);
  }
}
