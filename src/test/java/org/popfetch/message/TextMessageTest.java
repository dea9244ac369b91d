package org.popfetch.message;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class TextMessageTest {
  private static String written(TextMessage m, String body) {
    return new String(m.toBytes(body), UTF_8);
  }

  private static String header(String mail) {
    return mail.substring(0, mail.indexOf("\r\n\r\n") + 2);
  }

  @Test
  void anAsciiMessageIsWrittenAsGivenWithCrlfLineEnds() {
    String mail =
        written(
            new TextMessage()
                .structured("From", "popfetch <MAILER-DAEMON@mx.test>")
                .text("Subject", "login refused for work")
                .date("Date", Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC),
            "line one\nline two\n");

    assertThat(mail)
        .isEqualTo(
            "From: popfetch <MAILER-DAEMON@mx.test>\r\n"
                + "Subject: login refused for work\r\n"
                + "Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 7bit\r\n"
                + "\r\n"
                + "line one\r\nline two\r\n");
  }

  @Test
  void nonAsciiTextInTheHeaderIsEncodedAndTheBodyIsMarked8bit() {
    TextMessage m = new TextMessage().text("Subject", "login refused for büro");
    String mail = written(m, "für dich\n");

    assertThat(header(mail)).contains("Subject: =?UTF-8?").doesNotContain("büro");
    assertThat(header(mail).chars()).allMatch(c -> c < 0x80);
    assertThat(mail).contains("Content-Transfer-Encoding: 8bit\r\n").endsWith("für dich\r\n");
  }

  @Test
  void aLongFieldIsFoldedAndNoHeaderLinePassesTheLimit() {
    String words = String.join(" ", Collections.nCopies(40, "refused"));
    TextMessage m = new TextMessage().text("Subject", words).text("X-Note", "ünïcödé " + words);
    String mail = written(m, "x\n");

    String[] lines = header(mail).split("\r\n");
    assertThat(lines.length).isGreaterThan(4);
    assertThat(Arrays.stream(lines)).allMatch(l -> l.length() <= 78);
    assertThat(header(mail).replace("\r\n ", " ")).contains("Subject: " + words + "\r\n");
  }

  @Test
  void controlCharactersCannotStartAFieldOfTheirOwn() {
    TextMessage m = new TextMessage().text("Subject", "bad\r\nBcc: victim@example.com");
    String mail = written(m, "x\n");
    assertThat(header(mail)).doesNotContain("\r\nBcc:");

    assertThatThrownBy(() -> new TextMessage().structured("To", "<a@b>\r\nBcc: victim@example.com"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("To");
    assertThatThrownBy(() -> new TextMessage().structured("To", "<bü@b>"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TextMessage().structured("Bad Name", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aBodyLineLongerThanALineMayBeIsQuotedPrintable() {
    String mail = written(new TextMessage(), "x".repeat(1500) + "\nshort\n");

    assertThat(mail).contains("Content-Transfer-Encoding: quoted-printable\r\n");
    String body = mail.substring(mail.indexOf("\r\n\r\n") + 4);
    assertThat(Arrays.stream(body.split("\r\n"))).allMatch(l -> l.length() <= 76);
    assertThat(body.replace("=\r\n", "")).startsWith("x".repeat(1500) + "\r\nshort");
  }
}
