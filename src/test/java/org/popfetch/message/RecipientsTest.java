package org.popfetch.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.popfetch.message.Recipients.EnvelopeHeader;

class RecipientsTest {
  static HeaderFields header(String text) throws IOException {
    return HeaderFields.read(
            new ByteArrayInputStream((text + "\r\nbody\r\n").getBytes(StandardCharsets.ISO_8859_1)))
        .header();
  }

  @Test
  void theEnvelopeHeaderAfterTheProvidersOwnInstancesGivesTheRecipients() throws IOException {
    HeaderFields h =
        header(
            "Delivered-To: maildrop@provider.net\r\n"
                + "Delivered-To: alice@example.org\r\n"
                + "To: bob@example.org\r\n");
    Recipients.Found skipOne = Recipients.of(h, List.of(new EnvelopeHeader("Delivered-To", 1)));
    assertThat(skipOne.addresses()).containsExactly("alice@example.org");
    assertThat(skipOne.fromEnvelope()).isTrue();
    assertThat(skipOne.source()).isEqualTo("Delivered-To");

    assertThat(Recipients.of(h, List.of(new EnvelopeHeader("Delivered-To", 0))).addresses())
        .containsExactly("maildrop@provider.net");
  }

  @Test
  void envelopeHeadersAreTriedInOrderAndTheFirstWithAnAddressWins() throws IOException {
    HeaderFields h =
        header(
            "X-Original-To: =?utf-8?q?alice=40example.org?=\r\n"
                + "Envelope-To: carol@example.org, dave@example.org\r\n"
                + "To: bob@example.org\r\n");
    Recipients.Found f =
        Recipients.of(
            h,
            List.of(
                new EnvelopeHeader("Delivered-To", 0),
                new EnvelopeHeader("X-Original-To", 0),
                new EnvelopeHeader("Envelope-To", 0)));
    // the encoded-word is no address and is never decoded into one
    assertThat(f.addresses()).containsExactly("carol@example.org", "dave@example.org");
    assertThat(f.source()).isEqualTo("Envelope-To");
  }

  @Test
  void withoutAnEnvelopeHeaderToAndCcAreReadEachAddressOnce() throws IOException {
    HeaderFields h =
        header(
            "To: Alice <alice@example.org>, bob@example.org\r\n"
                + "Cc: ALICE@example.org, =?utf-8?b?Ym9i?= <carol@example.org>\r\n");
    Recipients.Found f = Recipients.of(h, List.of(new EnvelopeHeader("Delivered-To", 1)));
    assertThat(f.addresses())
        .containsExactly("alice@example.org", "bob@example.org", "carol@example.org");
    assertThat(f.fromEnvelope()).isFalse();
    assertThat(f.source()).isEqualTo("To/Cc");
  }

  @Test
  void resentFieldsTakePrecedenceOverToAndCc() throws IOException {
    HeaderFields h =
        header(
            "To: alice@example.org\r\n"
                + "Resent-Cc: bob@example.org\r\n"
                + "Resent-To: carol@example.org\r\n");
    Recipients.Found f = Recipients.of(h, List.of());
    assertThat(f.addresses()).containsExactly("carol@example.org", "bob@example.org");
    assertThat(f.source()).isEqualTo("Resent-To/Resent-Cc");
  }

  @Test
  void aHugeListIsCutAtTheCap() throws IOException {
    StringBuilder to = new StringBuilder("To: ");
    for (int i = 0; i < 3000; i++) {
      to.append(i == 0 ? "" : ",\r\n ").append("u").append(i).append("@example.org");
    }
    assertThat(Recipients.of(header(to.toString()), List.of()).addresses())
        .hasSize(Recipients.MAX_RECIPIENTS);
  }

  @Test
  void aMessageThatNamesNobodyHasNoRecipients() throws IOException {
    assertThat(Recipients.of(header("Subject: hi\r\n"), List.of()).addresses()).isEmpty();
    assertThat(Recipients.of(header("To: undisclosed-recipients:;\r\n"), List.of()).addresses())
        .isEmpty();
  }
}
