package org.popfetch.message;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderFieldsTest {
  private static HeaderFields.Read read(String wire) throws Exception {
    return HeaderFields.read(new ByteArrayInputStream(wire.getBytes(ISO_8859_1)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "no headers at all, just text\r\n",
        "Subject: no separator and no body",
        "Subject: nul \0 inside\r\n\r\nbody \0\r\n",
        "\r\n\r\nbody after an empty header\r\n",
        "Subject: bare LF\n\nbody\n",
        "X: bare\rCR\r\n\r\n"
      })
  void theMessageComesBackByteForByteWhateverItsShape(String wire) throws Exception {
    HeaderFields.Read r = read(wire);
    assertThat(new String(r.message().readAllBytes(), ISO_8859_1)).isEqualTo(wire);
  }

  /** Hands out at most {@code chunk} octets a read, and refuses to be read an octet at a time. */
  private static InputStream inReadsOf(byte[] bytes, int chunk) {
    return new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read() {
        throw new AssertionError("read one octet at a time");
      }

      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, chunk));
      }
    };
  }

  @Test
  void theHeaderIsReadInBulkNotAnOctetAtATime() throws Exception {
    byte[] wire = "Subject: hi\r\nFrom: a@example.org\r\n\r\nbody\r\n".getBytes(ISO_8859_1);
    HeaderFields.Read r = HeaderFields.read(inReadsOf(wire, Integer.MAX_VALUE));
    assertThat(r.header().first("Subject")).contains("hi");
    assertThat(r.message().readAllBytes()).isEqualTo(wire);
  }

  private static List<String> shown(HeaderFields h) {
    return h.fields().stream().map(f -> f.getName() + ":" + f.getBody()).toList();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Subject: one\r\nFrom: a@example.org\r\n\r\n.body\r\nX: not a field\r\n",
        "Subject: bare LF\nFrom: a@example.org\n\nX: not a field\n",
        "\n\r\nX: not a field\r\n",
        "Subject: no body at all\r\n"
      })
  void theEmptyLineIsFoundAndTheMessageKeptWholeWhereverTheReadsEnd(String text) throws Exception {
    byte[] wire = text.getBytes(ISO_8859_1);
    List<String> whole = shown(read(text).header());
    for (int chunk = 1; chunk <= wire.length; chunk++) {
      HeaderFields.Read r = HeaderFields.read(inReadsOf(wire, chunk));
      assertThat(shown(r.header())).as("reads of %d", chunk).isEqualTo(whole);
      assertThat(r.header().first("X")).as("reads of %d", chunk).isEmpty();
      assertThat(r.message().readAllBytes()).as("reads of %d", chunk).isEqualTo(wire);
    }
  }

  @Test
  void aTenMegabyteHeaderIsReadOnlyInPartAndPassedOnWhole() throws Exception {
    StringBuilder sb = new StringBuilder("Return-Path: <a@example.org>\r\n");
    while (sb.length() < 10 * 1024 * 1024) {
      sb.append("X-Filler: ").append("y".repeat(900)).append("\r\n");
    }
    String wire = sb.append("\r\nbody\r\n").toString();
    HeaderFields.Read r = read(wire);
    assertThat(r.header().first("Return-Path")).contains("<a@example.org>");
    InputStream whole = r.message();
    assertThat(whole.readAllBytes()).hasSize(wire.length());
  }

  @Test
  void fieldsAreFoundByNameInAnyCaseUnfoldedAndDecoded() throws Exception {
    HeaderFields h =
        read("SUBJECT: =?UTF-8?Q?Caf=C3=A9?=\r\n"
                + "  continued\r\n"
                + "Delivered-To: a@x\r\n"
                + "Delivered-To: b@x\r\n\r\n")
            .header();
    assertThat(h.first("subject"))
        .contains("Café  continued"); // unfolding removes the CRLF only (RFC 5322 2.2.3)
    assertThat(h.all("delivered-to")).containsExactly("a@x", "b@x");
  }

  @Test
  void theEnvelopeComesFromReturnPathThenFromAndTheRecipientFromTheConfiguredHeader()
      throws Exception {
    HeaderFields both =
        read("Return-Path: <bounce@lists.example.org>\r\n"
                + "From: Alice <alice@example.org>\r\n"
                + "X-Original-To: bob@example.org\r\n\r\n")
            .header();
    assertThat(Envelope.of(both, "me@pop", Optional.empty()))
        .isEqualTo(new Envelope("bounce@lists.example.org", "me@pop"));
    assertThat(Envelope.of(both, "me@pop", Optional.of("x-original-to")).recipient())
        .isEqualTo("bob@example.org");
    HeaderFields fromOnly = read("From: alice@example.org (Alice)\r\n\r\n").header();
    assertThat(Envelope.of(fromOnly, "me@pop", Optional.of("X-Original-To")))
        .isEqualTo(new Envelope("alice@example.org", "me@pop"));
    assertThat(
            Envelope.of(read("Return-Path: <>\r\n\r\n").header(), "me@pop", Optional.empty())
                .sender())
        .isEmpty();
    assertThat(
            Envelope.of(read("Subject: nothing\r\n\r\n").header(), "me@pop", Optional.empty())
                .sender())
        .isEmpty();
    HeaderFields two = read("Return-Path: <first@x>\r\nReturn-Path: <second@x>\r\n\r\n").header();
    assertThat(Envelope.of(two, "me@pop", Optional.empty()).sender()).isEqualTo("first@x");
  }

  @Test
  void addressFieldsAreNeverDecodedAndNoValueCarriesAControlCharacter() throws Exception {
    HeaderFields h =
        read("To: =?utf-8?q?bob@example.org=0Avictim@evil.example?=\r\n"
                + "Resent-From: =?utf-8?q?a=0D=0Ab?=\r\n"
                + "Subject: =?utf-8?q?one=0Atwo=00three=E2=80=A8four?=\r\n"
                + "X-Raw: a\0b\u007fc\r\n\r\n")
            .header();
    assertThat(h.all("to")).containsExactly("=?utf-8?q?bob@example.org=0Avictim@evil.example?=");
    assertThat(h.all("Resent-From")).containsExactly("=?utf-8?q?a=0D=0Ab?=");
    assertThat(h.first("Subject")).contains("one\ufffdtwo\ufffdthree\ufffdfour");
    assertThat(h.first("X-Raw")).contains("a\ufffdb\ufffdc");
  }

  @Test
  void theRawValueIsTheFieldAsItCameFoldingAndAll() throws Exception {
    HeaderFields h =
        read("Delivered-To: <bob@example.org>,\r\n <carol@example.org>\r\nX: =?utf-8?q?x?=\r\n\r\n")
            .header();
    assertThat(h.raw("delivered-to"))
        .containsExactly(" <bob@example.org>,\r\n <carol@example.org>");
    assertThat(h.raw("x")).containsExactly(" =?utf-8?q?x?=");
    assertThat(h.raw("missing")).isEmpty();
  }

  @Test
  void aSenderFieldWithNoUsableAddressMakesTheMailboxTheSender() throws Exception {
    assertThat(
            Envelope.of(
                    read("Return-Path: <a b@x>\r\nFrom: alice@example.org\r\n\r\n").header(),
                    "me@pop",
                    Optional.empty())
                .sender())
        .isEqualTo("me@pop");
    assertThat(
            Envelope.of(
                    read("From: =?utf-8?q?bob=40example.org=0A?=\r\n\r\n").header(),
                    "me@pop",
                    Optional.empty())
                .sender())
        .isEqualTo("me@pop");
    assertThat(
            Envelope.of(
                    read("Return-Path: <>\r\nFrom: alice@example.org\r\n\r\n").header(),
                    "me@pop",
                    Optional.empty())
                .sender())
        .isEmpty();
  }
}
