package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.fetch.AccountCheck;

/** {@code popfetch check} warns of an interval shorter than the server's LOGIN-DELAY. */
class LoginDelayWarningTest {
  private static PopfetchConfig config() throws Exception {
    String account =
        """
          - name: %s
            server: %s
            user: u
            password: { env: P }
            deliver: { maildir: /tmp/m }
            %s
        """;
    return ConfigLoader.parse(
        Path.of("/etc/popfetch/popfetch.yaml"),
        "accounts:\n"
            + account.formatted("short", "a.example", "interval: 1m")
            + account.formatted("long", "b.example", "interval: 30m")
            + account.formatted("cron", "c.example", "cron: \"0 * * * * ?\""),
        false);
  }

  private static AccountCheck.Report report(String account, Duration delay) {
    return new AccountCheck.Report(account, 0, 0, 0, 0, Optional.empty(), Optional.of(delay));
  }

  @Test
  void onlyAnIntervalShorterThanTheDelayIsWarnedOf() throws Exception {
    StringWriter err = new StringWriter();
    CheckCommand.loginDelayWarnings(
        config(),
        List.of(
            report("short", Duration.ofMinutes(15)),
            report("long", Duration.ofMinutes(15)),
            report("cron", Duration.ofMinutes(15)),
            new AccountCheck.Report("short", 0, 0, 0, 0, Optional.empty())),
        new PrintWriter(err));
    assertThat(err.toString())
        .isEqualTo(
            "short: warning: interval 60s is shorter than the server's LOGIN-DELAY of 900s: the"
                + " service leaves at least 900s between polls; set interval: 900s or more"
                + System.lineSeparator());
  }
}
