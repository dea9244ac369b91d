package org.popfetch.oauth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * The device authorization grant (RFC 8628): asks for a code, shows the operator where to enter it,
 * and polls the token endpoint at the server's interval until the operator approves, declines or
 * the code expires. {@code slow_down} adds five seconds to the interval (§3.5).
 */
public final class DeviceAuthorization {
  /** Waits between polls; tests pass one that returns at once. */
  @FunctionalInterface
  public interface Pause {
    void pause(Duration d) throws InterruptedException;
  }

  private final TokenEndpoint endpoint;
  private final Pause pause;
  private final Clock clock;

  public DeviceAuthorization(TokenEndpoint endpoint, Pause pause, Clock clock) {
    this.endpoint = endpoint;
    this.pause = pause;
    this.clock = clock;
  }

  /**
   * Runs the grant to its end.
   *
   * @param show receives the code and URL to show the operator, before polling starts
   * @return the tokens issued on approval
   * @throws OAuthException if the request fails, the operator declines, the code expires, or the
   *     server answers an error other than {@code authorization_pending} or {@code slow_down}
   */
  public TokenResponse authorize(Consumer<DeviceCode> show) throws OAuthException {
    DeviceCode code = endpoint.startDevice();
    show.accept(code);
    Instant deadline = clock.instant().plus(code.lifetime());
    Duration interval = code.interval();
    while (true) {
      try {
        pause.pause(interval);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new OAuthException("interrupted while waiting for the approval", e);
      }
      TokenEndpoint.Answer a = endpoint.pollDevice(code);
      if (a.status() == 200) {
        return TokenEndpoint.tokens(a.body());
      }
      String error = a.error();
      if ("authorization_pending".equals(error)) {
        // keep the interval
      } else if ("slow_down".equals(error)) {
        interval = interval.plusSeconds(5);
      } else if ("authorization_declined".equals(error) || "access_denied".equals(error)) {
        throw new OAuthException("the authorization was declined (" + a.describe() + ")");
      } else if ("expired_token".equals(error)) {
        throw new OAuthException("the code expired before it was approved; run the login again");
      } else {
        throw new OAuthException("the device authorization failed: " + a.describe());
      }
      if (!clock.instant().isBefore(deadline)) {
        throw new OAuthException("the code expired before it was approved; run the login again");
      }
    }
  }
}
