package org.popfetch.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.Random;
import java.util.TimeZone;
import org.apache.james.mime4j.util.MimeUtil;
import org.junit.jupiter.api.Test;

class MailDateTest {
  @Test
  void formatsAnInstantAsAnRfc5322DateInUtc() {
    assertThat(MailDate.format(Instant.parse("2026-11-30T18:53:48Z")))
        .isEqualTo("Mon, 30 Nov 2026 18:53:48 +0000");
    assertThat(MailDate.format(Instant.parse("2027-01-03T04:05:06.999Z")))
        .isEqualTo("Sun, 3 Jan 2027 04:05:06 +0000");
  }

  @Test
  void inAZoneItWritesTheOffsetThereAndThen() {
    Instant when = Instant.parse("2026-07-01T12:00:00Z");
    assertThat(MailDate.format(when, ZoneId.of("Europe/Berlin")))
        .isEqualTo("Wed, 1 Jul 2026 14:00:00 +0200");
    assertThat(MailDate.format(when, ZoneId.of("America/St_Johns")))
        .isEqualTo("Wed, 1 Jul 2026 09:30:00 -0230");
    assertThat(MailDate.format(Instant.parse("2026-12-01T12:00:00Z"), ZoneId.of("Europe/Berlin")))
        .isEqualTo("Tue, 1 Dec 2026 13:00:00 +0100");
  }

  @Test
  void aYearBeforeOneThousandHasFourDigits() {
    assertThat(MailDate.format(Instant.parse("0999-12-31T23:59:59Z")))
        .isEqualTo("Tue, 31 Dec 0999 23:59:59 +0000")
        .isEqualTo(
            MimeUtil.formatDate(
                Date.from(Instant.parse("0999-12-31T23:59:59Z")), TimeZone.getTimeZone("UTC")));
  }

  @Test
  void writesWhatMimeUtilWrites() {
    Random random = new Random(30);
    String[] zones = {
      "UTC",
      "Europe/Berlin",
      "America/St_Johns",
      "Asia/Kathmandu",
      "Pacific/Kiritimati",
      "America/Los_Angeles",
      "Australia/Lord_Howe"
    };
    for (int i = 0; i < 5_000; i++) {
      // 1970 to 2099, to the millisecond.
      Instant when = Instant.ofEpochMilli((long) (random.nextDouble() * 4_102_444_800_000L));
      ZoneId zone = ZoneId.of(zones[random.nextInt(zones.length)]);
      assertThat(MailDate.format(when, zone))
          .as("%s in %s", when, zone)
          .isEqualTo(MimeUtil.formatDate(Date.from(when), TimeZone.getTimeZone(zone)));
    }
  }
}
