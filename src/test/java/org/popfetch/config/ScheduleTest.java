package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An account's schedule leaves config typed, its cron expression checked by Quartz's parser. */
class ScheduleTest {
  private static final Path FILE = Path.of("/etc/popfetch/popfetch.yaml");

  @Test
  void aCronScheduleIsCheckedWhenMadeAndBacksOffFromTheDefaultInterval() {
    assertThat(new Schedule.Cron("0 */5 * * * ?").interval()).isEqualTo(Duration.ofMinutes(5));
    assertThatThrownBy(() -> new Schedule.Cron("0 0 0 30 2 ?"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("\"0 0 0 30 2 ?\" never fires");
    assertThatThrownBy(() -> new Schedule.Cron("every day"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a Quartz cron expression");
  }

  @Test
  void eachAccountGetsOneScheduleFromItsOwnKeysOrTheDefaults() throws Exception {
    String yaml =
        """
        defaults: { cron: "0 0 * * * ?" }
        accounts:
          - { name: a, server: pop.example.com, user: a, password: {env: P},
              deliver: { maildir: /m/a } }
          - { name: b, server: pop.example.com, user: b, password: {env: P},
              deliver: { maildir: /m/b }, interval: 90s }
        """;
    PopfetchConfig config = ConfigLoader.parse(FILE, yaml, false);
    assertThat(config.accounts().get(0).schedule()).isEqualTo(new Schedule.Cron("0 0 * * * ?"));
    assertThat(config.accounts().get(1).schedule())
        .isEqualTo(new Schedule.Interval(Duration.ofSeconds(90)));
  }
}
