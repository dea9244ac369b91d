package org.popfetch.message;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.popfetch.testing.Hostile;

class AddressesTest {
  @Test
  void theUsualFormsOfAnAddressListAreRead() {
    assertThat(Addresses.parse("alice@example.org")).containsExactly("alice@example.org");
    assertThat(Addresses.parse(" Alice Liddell <alice@example.org> "))
        .containsExactly("alice@example.org");
    assertThat(Addresses.parse("alice@example.org (Alice (the first))"))
        .containsExactly("alice@example.org");
    assertThat(
            Addresses.parse(
                "\"Smith, John\" <john@example.org>, bob@example.org,\r\n\tcarol@example.org"))
        .containsExactly("john@example.org", "bob@example.org", "carol@example.org");
    assertThat(Addresses.parse("team: a@example.org, b@example.org;, c@example.org"))
        .containsExactly("a@example.org", "b@example.org", "c@example.org");
    assertThat(Addresses.parse("undisclosed-recipients:;")).isEmpty();
    assertThat(Addresses.parse("\"quoted.local\"@example.org, x@[192.0.2.1], y@[IPv6:2001:db8::1]"))
        .containsExactly("\"quoted.local\"@example.org", "x@[192.0.2.1]", "y@[IPv6:2001:db8::1]");
    assertThat(Addresses.parse("bounce+srs=abc=def@lists.example.org"))
        .containsExactly("bounce+srs=abc=def@lists.example.org");
  }

  @Test
  void whatIsNotOneAddressIsSkippedWholeNeverCutDownToOne() {
    assertThat(Addresses.parse("\"john smith\"@example.org")).isEmpty(); // a space in it
    assertThat(Addresses.parse("a@example.org b@example.org")).isEmpty(); // two words, no comma
    assertThat(Addresses.parse("<a@example.org> b@example.org")).isEmpty();
    assertThat(Addresses.parse("<a@example.org\nb@example.org>, ok@example.org"))
        .containsExactly("ok@example.org");
    assertThat(Addresses.parse("<a@example.org\0evil>")).isEmpty();
    assertThat(Addresses.parse("<@route.example:a@example.org>")).isEmpty();
    assertThat(Addresses.parse("<a@b@example.org>")).isEmpty();
    assertThat(Addresses.parse("<" + "a".repeat(250) + "@example.org>")).isEmpty();
    assertThat(Addresses.parse("<\"a<b\"@example.org>")).isEmpty();
    assertThat(Addresses.parse("Bob")).isEmpty();
  }

  @Test
  void anEncodedWordIsNeverDecodedInAnAddress() {
    // RFC 2047 section 5: none may stand in an addr-spec. Decoded, these would be
    // "bob@example.org\nvictim@evil.example" and "a\nevil@x".
    assertThat(Addresses.parse("=?utf-8?q?bob@example.org=0D=0Avictim@evil.example?=")).isEmpty();
    assertThat(Addresses.parse("=?utf-8?q?bob=40example.org?=")).isEmpty();
    assertThat(Addresses.parse("<=?utf-8?q?a=0Aevil?=@x.example>"))
        .containsExactly("=?utf-8?q?a=0Aevil?=@x.example");
    assertThat(Addresses.parse("=?utf-8?q?Alice?= <alice@example.org>"))
        .containsExactly("alice@example.org");
  }

  @Test
  void theNullPathIsToldApart() {
    assertThat(Addresses.isNullPath("<>")).isTrue();
    assertThat(Addresses.isNullPath(" < > (bounce)\r\n")).isTrue();
    assertThat(Addresses.isNullPath("<a@x>")).isFalse();
    assertThat(Addresses.isNullPath("<>, <a@x>")).isFalse();
    assertThat(Addresses.isNullPath("=?utf-8?q?<>?=")).isFalse();
  }

  @Test
  void anEnvelopeAddressHasNothingThatEndsALineOrACommand() {
    assertThat(Addresses.isEnvelopeSafe("bob@example.org")).isTrue();
    assertThat(Addresses.isEnvelopeSafe("jürgen@example.de")).isTrue();
    assertThat(Addresses.isEnvelopeSafe("postmaster")).isTrue();
    for (String bad :
        List.of(
            "",
            "a b@x",
            "a\n@x",
            "a\r@x",
            "a\0@x",
            "a\u007f@x",
            "a\u0085@x",
            "a\u2028@x",
            "a\u202e@x",
            "a\ud800@x",
            "a>@x",
            "<a@x",
            "a".repeat(255))) {
      assertThat(Addresses.isEnvelopeSafe(bad)).as(bad).isFalse();
    }
  }

  /** The property of the header-to-address path, on the value alone. */
  @Test
  void anyValueYieldsOnlyCleanAddressesThatAreLiterallyInIt() {
    Hostile.forAll(
        20_000,
        r -> {
          String value = Hostile.string(r, 40);
          for (String a : Addresses.parse(value)) {
            assertThat(value).contains(a);
            assertThat(Addresses.isEnvelopeSafe(a)).as(a).isTrue();
            assertThat(a).matches("[\\x21-\\x7e]{3,254}").contains("@");
          }
        });
  }

  /** The same through the whole path: raw header octets, Mime4j, the envelope. */
  @Test
  void anyHeaderYieldsAnEnvelopeOfCleanAddressesLiterallyInItOrTheMailbox() {
    Hostile.forAll(
        3_000,
        r -> {
          String value = Hostile.string(r, 30);
          byte[] raw =
              ("Return-Path: "
                      + value
                      + "\r\nFrom: "
                      + Hostile.string(r, 10)
                      + "\r\nX-Original-To: "
                      + value
                      + "\r\n\r\nbody\r\n")
                  .getBytes(StandardCharsets.UTF_8);
          String octets = new String(raw, ISO_8859_1);
          HeaderFields h = HeaderFields.read(new ByteArrayInputStream(raw)).header();
          Envelope e = Envelope.of(h, "me@pop.example", Optional.of("X-Original-To"));
          for (String a : List.of(e.sender(), e.recipient())) {
            if (!a.isEmpty() && !a.equals("me@pop.example")) {
              assertThat(octets).contains(a);
              assertThat(a).matches("[\\x21-\\x7e]{3,254}");
            }
          }
          assertThat(e.recipient()).isNotEmpty();
        });
  }
}
