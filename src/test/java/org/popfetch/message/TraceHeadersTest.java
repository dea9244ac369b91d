package org.popfetch.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TraceHeadersTest {
  @Test
  void receivedAndDeliveredToRecordTheFetch() {
    TraceHeaders h =
        TraceHeaders.forFetch(
            "pop.example.com",
            true,
            "mx.local",
            "work",
            "alice@example.com",
            Instant.parse("2026-11-27T08:00:00Z"));
    String text = new String(h.toBytes("\n"), StandardCharsets.US_ASCII);
    assertThat(text)
        .startsWith("Received: from pop.example.com by mx.local with POP3S (popfetch) for")
        .contains("<alice@example.com> (account work);")
        .contains("27 Nov 2026 08:00:00 +0000")
        .endsWith("Delivered-To: alice@example.com\n");
    for (String line : text.split("\n")) {
      assertThat(line.length()).isLessThanOrEqualTo(78);
    }
  }

  @Test
  void configOrServerTextCannotInjectHeaders() {
    TraceHeaders h =
        TraceHeaders.forFetch(
            "evil\r\nBcc: x@y", false, "h", "a\nX-Injected: 1", "m>\r\n", Instant.EPOCH);
    String text = new String(h.toBytes("\n"), StandardCharsets.US_ASCII);
    assertThat(text.lines()).noneMatch(l -> l.startsWith("Bcc:") || l.startsWith("X-Injected:"));
    assertThat(text.lines().filter(l -> !l.startsWith(" ") && !l.startsWith("\t"))).hasSize(2);
  }

  @Test
  void eachTraceFieldCanBeSwitchedOff() {
    TraceHeaders full =
        TraceHeaders.forFetch("pop.example.com", true, "h", "work", "a@example.com", Instant.EPOCH);
    String noReceived =
        new String(
            new HeaderRewrite(false, true, false, false).trace(full).toBytes("\n"),
            StandardCharsets.US_ASCII);
    assertThat(noReceived).isEqualTo("Delivered-To: a@example.com\n");
    String noDeliveredTo =
        new String(
            new HeaderRewrite(true, false, false, false).trace(full).toBytes("\n"),
            StandardCharsets.US_ASCII);
    assertThat(noDeliveredTo)
        .startsWith("Received: from pop.example.com")
        .doesNotContain("Delivered-To");
    assertThat(new HeaderRewrite(false, false, true, true).trace(full).fields()).isEmpty();
    assertThat(HeaderRewrite.DEFAULT.trace(full)).isEqualTo(full);
  }
}
