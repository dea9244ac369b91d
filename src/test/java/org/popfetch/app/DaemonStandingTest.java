package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.PopfetchConfig;

/** What a reload keeps of an account's backoff and notice state. */
class DaemonStandingTest {
  private static AccountRun.Target target(String password, String interval) throws Exception {
    PopfetchConfig c =
        ConfigLoader.parse(
            Path.of("/etc/popfetch/popfetch.yaml"),
            """
            accounts:
              - name: work
                server: pop.example.com
                user: alice
                password: %s
                interval: %s
                deliver: { maildir: /home/alice/Maildir }
            """
                .formatted(password, interval),
            false);
    return new AccountRun.Target(c.accounts().get(0), AccountWiring.account(c.accounts().get(0)));
  }

  @Test
  void anUnchangedAccountKeepsItsBackoffAndNoticeAcrossAReload() throws Exception {
    Map<String, PopfetchDaemon.Standing> standings = new HashMap<>();
    PopfetchDaemon.Standing first = PopfetchDaemon.standing(standings, target("old-pw", "5m"), 3);
    first.backoff().failed("login refused", Instant.now());

    PopfetchDaemon.Standing reloaded =
        PopfetchDaemon.standing(standings, target("old-pw", "5m"), 3);

    assertThat(reloaded).isSameAs(first);
    assertThat(reloaded.backoff().due(Instant.now())).as("still resting").isFalse();
  }

  @Test
  void aChangedAccountOrNoticeThresholdStartsFresh() throws Exception {
    Map<String, PopfetchDaemon.Standing> standings = new HashMap<>();
    PopfetchDaemon.Standing first = PopfetchDaemon.standing(standings, target("old-pw", "5m"), 3);
    first.backoff().failed("login refused", Instant.now());

    PopfetchDaemon.Standing newPassword =
        PopfetchDaemon.standing(standings, target("new-pw", "5m"), 3);
    assertThat(newPassword).isNotSameAs(first);
    assertThat(newPassword.backoff().due(Instant.now()))
        .as("a new password is tried at once")
        .isTrue();

    PopfetchDaemon.Standing newThreshold =
        PopfetchDaemon.standing(standings, target("new-pw", "5m"), 1);
    assertThat(newThreshold).isNotSameAs(newPassword);
    assertThat(newThreshold.notice().after()).isEqualTo(1);
  }
}
