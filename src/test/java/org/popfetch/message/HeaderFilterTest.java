package org.popfetch.message;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeaderFilterTest {
  private static final Set<String> DROPPED =
      Set.of("delivered-to", "status", "x-status", "x-mozilla-status");

  private static String filtered(String wire) throws IOException {
    HeaderFields.Read read =
        HeaderFields.read(new ByteArrayInputStream(wire.getBytes(ISO_8859_1)), DROPPED);
    try (InputStream in = read.message()) {
      return new String(in.readAllBytes(), ISO_8859_1);
    }
  }

  @Test
  void removesWholeFieldsWithTheirFoldedLinesAndNothingElse() throws IOException {
    String wire =
        "Return-Path: <a@example.org>\r\n"
            + "Delivered-To: provider-box@example.net\r\n"
            + "Received: from x\r\n"
            + "\tby y; Mon, 30 Nov 2026 10:00:00 +0000\r\n"
            + "DELIVERED-TO: folded@example.net,\r\n"
            + " second@example.net\r\n"
            + "\t third@example.net\r\n"
            + "Subject: hi\r\n"
            + "Status: RO\r\n"
            + "X-Status: A\r\n"
            + "X-Mozilla-Status: 0001\r\n"
            + "Status : O\r\n"
            + "\r\n"
            + "Delivered-To: in the body@example.org\r\n"
            + "Status: RO\r\n";
    assertThat(filtered(wire))
        .isEqualTo(
            "Return-Path: <a@example.org>\r\n"
                + "Received: from x\r\n"
                + "\tby y; Mon, 30 Nov 2026 10:00:00 +0000\r\n"
                + "Subject: hi\r\n"
                + "\r\n"
                + "Delivered-To: in the body@example.org\r\n"
                + "Status: RO\r\n");
  }

  @Test
  void keepsLookAlikesAndContinuationLinesThatOnlyLookLikeFields() throws IOException {
    String wire =
        "X-Delivered-To: keep@example.org\r\n"
            + "Delivered-To-Old: keep\r\n"
            + "X-Note: one\r\n"
            + " Status: RO\r\n"
            + "\tDelivered-To: still the note\r\n"
            + "Subject: Status: RO\r\n"
            + "Statuses: keep\r\n"
            + "\r\n"
            + "body\r\n";
    assertThat(filtered(wire)).isEqualTo(wire);
  }

  @Test
  void bareLineFeedsAreFramedTheSameWay() throws IOException {
    String wire =
        "Delivered-To: a@example.org\n"
            + " b@example.org\n"
            + "Subject: s\n"
            + "Status: R\n"
            + "\n"
            + "Status: R\n";
    assertThat(filtered(wire)).isEqualTo("Subject: s\n\nStatus: R\n");
  }

  @Test
  void aMessageWithoutBodyLosesItsLastFieldWhole() throws IOException {
    assertThat(filtered("Subject: s\r\nStatus: RO\r\n X")).isEqualTo("Subject: s\r\n");
  }

  @Test
  void theRoutingHeaderStillHasTheRemovedFields() throws IOException {
    HeaderFields.Read read =
        HeaderFields.read(
            new ByteArrayInputStream(
                "Delivered-To: box@example.net\r\nSubject: s\r\n\r\nb\r\n".getBytes(ISO_8859_1)),
            DROPPED);
    assertThat(read.header().first("Delivered-To")).contains("box@example.net");
  }

  @Test
  void aFieldCutByTheHeaderLimitIsKeptSoItsRestIsNotOrphaned() {
    byte[] cut = "Subject: s\r\nDelivered-To: a@example.org,\r\n b@exa".getBytes(ISO_8859_1);
    assertThat(HeaderFilter.without(cut, false, DROPPED)).isSameAs(cut);
    assertThat(new String(HeaderFilter.without(cut, true, DROPPED), ISO_8859_1))
        .isEqualTo("Subject: s\r\n");
  }

  @Test
  void aHugeHeaderIsFilteredUpToTheLimitAndPassedOnWhole() throws IOException {
    StringBuilder wire = new StringBuilder("Status: RO\r\n");
    while (wire.length() < HeaderFields.MAX_HEADER + 1000) {
      wire.append("X-Filler: ").append("x".repeat(60)).append("\r\n");
    }
    wire.append("Delivered-To: after-the-limit@example.org\r\n\r\nbody\r\n");
    String out = filtered(wire.toString());
    assertThat(out).isEqualTo(wire.substring("Status: RO\r\n".length()));
  }

  @Test
  void nothingToRemoveHandsBackTheSameBytes() {
    byte[] head = "Subject: s\r\n\r\n".getBytes(ISO_8859_1);
    assertThat(HeaderFilter.without(head, true, DROPPED)).isSameAs(head);
    assertThat(HeaderFilter.without(head, true, Set.of())).isSameAs(head);
  }
}
