package org.popfetch.pop3;

/** How the connection is protected. */
public enum TlsMode {
  /** TLS from the first byte (port 995, RFC 8314). The default. */
  IMPLICIT,
  /** Plain connect, then STLS (RFC 2595); the session stops if STLS is not offered or fails. */
  STARTTLS,
  /** No TLS. Logins are refused unless {@link Pop3Settings#allowPlaintextLogin()} says so. */
  NONE
}
