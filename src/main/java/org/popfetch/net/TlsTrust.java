package org.popfetch.net;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * Which server certificates to accept.
 *
 * <p>By default the system trust store, with the chain and the host name verified. A CA file adds
 * certificates to trust alongside the system's. A SHA-256 pin replaces chain and host name checks
 * with one exact comparison: the server must present that very certificate, which is how an admin
 * trusts a self-signed server without trusting anything else.
 *
 * @param caFile PEM file of extra trusted certificates, if any
 * @param pinnedSha256 SHA-256 of the server's DER-encoded certificate, if pinned
 */
public record TlsTrust(Optional<Path> caFile, Optional<byte[]> pinnedSha256) {

  public static final TlsTrust SYSTEM = new TlsTrust(Optional.empty(), Optional.empty());

  public TlsTrust {
    pinnedSha256.ifPresent(
        pin -> {
          if (pin.length != 32) {
            throw new IllegalArgumentException("a SHA-256 fingerprint has 32 octets");
          }
        });
    pinnedSha256 = pinnedSha256.map(byte[]::clone);
  }

  public static TlsTrust withCaFile(Path caFile) {
    return new TlsTrust(Optional.of(caFile), Optional.empty());
  }

  public static TlsTrust pinned(byte[] sha256) {
    return new TlsTrust(Optional.empty(), Optional.of(sha256));
  }

  /**
   * Parses a fingerprint as written in configs and by {@code openssl x509 -fingerprint -sha256}: an
   * optional "sha256:" prefix, then 64 hex digits, colons allowed between pairs.
   */
  public static byte[] parseFingerprint(String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    if (s.startsWith("sha256:")) {
      s = s.substring("sha256:".length());
    } else if (s.startsWith("sha256 fingerprint=")) {
      s = s.substring("sha256 fingerprint=".length());
    }
    s = s.replace(":", "");
    if (!s.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(
          "not a SHA-256 fingerprint (expected 64 hex digits, colons allowed): " + text);
    }
    return HexFormat.of().parseHex(s);
  }

  public static String formatFingerprint(byte[] sha256) {
    return "sha256:" + HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256);
  }
}
