package org.popfetch.oauth;

import java.net.URI;
import java.time.Duration;

/**
 * A device authorization answer (RFC 8628 §3.2): what the operator types where, and how to poll.
 *
 * @param deviceCode sent back when polling; secret
 * @param userCode what the operator enters at {@code verificationUri}
 * @param verificationUri where to enter it
 * @param lifetime how long the codes are valid
 * @param interval how long to wait between polls
 */
public record DeviceCode(
    String deviceCode, String userCode, URI verificationUri, Duration lifetime, Duration interval) {
  @Override
  public String toString() {
    return "DeviceCode[userCode=" + userCode + ", verificationUri=" + verificationUri + "]";
  }
}
