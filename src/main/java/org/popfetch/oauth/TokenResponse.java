package org.popfetch.oauth;

import java.time.Duration;

/**
 * A successful answer of the token endpoint.
 *
 * @param accessToken the bearer token
 * @param refreshToken a new refresh token, or null when the server keeps the old one
 * @param lifetime how long the access token lasts from the moment it was issued
 */
public record TokenResponse(String accessToken, String refreshToken, Duration lifetime) {
  @Override
  public String toString() {
    return "TokenResponse[accessToken=****, refreshToken="
        + (refreshToken == null ? "none" : "****")
        + ", lifetime="
        + lifetime
        + "]";
  }
}
