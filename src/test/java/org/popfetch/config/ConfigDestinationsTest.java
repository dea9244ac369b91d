package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.popfetch.config.ConfigLoaderTest.MINIMAL;
import static org.popfetch.config.ConfigLoaderTest.assertError;
import static org.popfetch.config.ConfigLoaderTest.parse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** mbox, pipe, routing rules, the recipient header and the quarantine in the configuration. */
class ConfigDestinationsTest {
  private static String withDeliver(String deliver) {
    return MINIMAL.replace("deliver: { maildir: /home/alice/Maildir }", deliver);
  }

  @Test
  void mboxAndPipeDestinations() throws Exception {
    assertThat(parse(withDeliver("deliver: { mbox: /var/mail/alice }")).accounts().get(0).deliver())
        .isEqualTo(new DeliverConfig.Mbox(Path.of("/var/mail/alice")));
    assertThat(
            parse(
                    withDeliver(
                        "deliver: { pipe: [/usr/bin/procmail, -d, \"%{recipient}\"], timeout: 2m"
                            + " }"))
                .accounts()
                .get(0)
                .deliver())
        .isEqualTo(
            new DeliverConfig.Pipe(
                List.of("/usr/bin/procmail", "-d", "%{recipient}"), Duration.ofMinutes(2)));
  }

  @Test
  void pipeProgramsAreAbsoluteAndTimeoutsBelongToPipes() {
    assertError(
        withDeliver("deliver: { pipe: [procmail] }"),
        "6: accounts[0].deliver.pipe[0]: the program must be an absolute path (no shell, no PATH"
            + " search), got \"procmail\"");
    assertError(
        withDeliver("deliver: { maildir: /m, timeout: 1m }"),
        "6: accounts[0].deliver.timeout: a timeout applies to pipe only");
    assertError(
        withDeliver("deliver: { maildir: /m, mbox: /n }"),
        "6: accounts[0].deliver.mbox: one destination per deliver: block");
  }

  @Test
  void maildirsAndMboxesMayBeWrittenAsALocalUser() throws Exception {
    assertThat(
            parse(withDeliver("deliver: { maildir: /home/alice/Maildir, user: alice }"))
                .accounts()
                .get(0)
                .deliver())
        .isEqualTo(new DeliverConfig.Maildir(Path.of("/home/alice/Maildir"), Optional.of("alice")));
    assertThat(
            parse(withDeliver("deliver: { mbox: /var/mail/bob.smith, user: bob.smith }"))
                .accounts()
                .get(0)
                .deliver())
        .isEqualTo(
            new DeliverConfig.Mbox(Path.of("/var/mail/bob.smith"), Optional.of("bob.smith")));
  }

  @Test
  void aLocalUserIsAPortableNameAndNotAnSmtpLogin() {
    for (String bad :
        List.of("\"../root\"", "-rf", "\"a b\"", "\"al\\u00efce\"", "x".repeat(33), "\"\""))
      assertError(
          withDeliver("deliver: { maildir: /home/alice/Maildir, user: " + bad + " }"),
          "6: accounts[0].deliver.user: not a user name (letters, digits, \".\", \"_\", \"-\", at"
              + " most 32 characters, not starting with \"-\"): "
              + quoteOf(bad));
    assertError(
        withDeliver("deliver: { pipe: [/usr/bin/procmail], user: \"a;b\" }"),
        "6: accounts[0].deliver.user: not a user name (letters, digits, \".\", \"_\", \"-\", at"
            + " most 32 characters, not starting with \"-\"): \"a;b\"");
    assertError(
        withDeliver("deliver: { smtp: { host: localhost, tls: none }, user: alice }"),
        "6: accounts[0].deliver.user: user applies to maildir, mbox and pipe (smtp takes its login"
            + " in smtp: { user: })");
  }

  /** How the error quotes the name: as the YAML scalar's value. */
  private static String quoteOf(String yaml) {
    String v = yaml.startsWith("\"") ? yaml.substring(1, yaml.length() - 1) : yaml;
    v = v.replace("\\u00ef", "\u00ef");
    return "\"" + v + "\"";
  }

  @Test
  void rulesRecipientHeaderAndQuarantine() throws Exception {
    PopfetchConfig config =
        parse(
            "quarantine: /var/lib/popfetch/held\n"
                + MINIMAL.replace(
                    "deliver: { maildir: /home/alice/Maildir }",
                    """
                    deliver: { maildir: /home/alice/Maildir }
                        recipient-header: X-Original-To
                        rules:
                          - match: { header: List-Id, regex: "<([a-z]+)\\\\.lists\\\\.example\\\\.net>" }
                            deliver: { maildir: /home/alice/Maildir, folder: "Lists.$1" }
                          - match: { recipient: { is: bob@example.org } }
                            deliver: [ { mbox: /var/mail/bob }, { pipe: [/usr/bin/true] } ]
                    """
                        .stripTrailing()));
    AccountConfig a = config.accounts().get(0);
    assertThat(config.quarantine()).isEqualTo(Path.of("/var/lib/popfetch/held"));
    assertThat(a.recipientHeader()).contains("X-Original-To");
    assertThat(a.rules()).hasSize(2);
    assertThat(a.rules().get(0))
        .isEqualTo(
            new RuleConfig(
                RuleConfig.Source.HEADER,
                "List-Id",
                RuleConfig.Kind.REGEX,
                "<([a-z]+)\\.lists\\.example\\.net>",
                List.of(
                    new RuleConfig.Target(
                        new DeliverConfig.Maildir(Path.of("/home/alice/Maildir")), "Lists.$1"))));
    assertThat(a.rules().get(1).source()).isEqualTo(RuleConfig.Source.RECIPIENT);
    assertThat(a.rules().get(1).deliver()).hasSize(2);
  }

  @Test
  void theQuarantineDefaultsToTheStateDirectory() throws Exception {
    assertThat(parse("state: { url: \"jdbc:sqlite:/srv/pf/state.db\" }\n" + MINIMAL).quarantine())
        .isEqualTo(Path.of("/srv/pf/quarantine"));
  }

  @Test
  void badRulesNameTheirLine() {
    String rules =
        """
        deliver: { maildir: /home/alice/Maildir }
            rules:
              - match: { header: Subject, regex: "([" }
                deliver: { maildir: /m }
        """
            .stripTrailing();
    assertError(
        withDeliver(rules),
        "8: accounts[0].rules[0].match.regex: not a regular expression in RE2 syntax"
            + " (which has no backreferences or lookaround): missing closing ]: `[`");
    assertError(
        withDeliver(rules.replace("regex: \"([\"", "glob: a, is: b")),
        "8: accounts[0].rules[0].match.header: compare with exactly one of is, glob, regex");
    assertError(
        withDeliver(
            rules
                .replace("regex: \"([\"", "is: x")
                .replace("deliver: { maildir: /m }", "deliver: { mbox: /m, folder: x }")),
        "9: accounts[0].rules[0].deliver.folder: a folder belongs to a maildir destination");
  }

  @Test
  void smtpForwardingAndTheQueue() throws Exception {
    PopfetchConfig config =
        parse(
            "queue: { lifetime: 2d, min-backoff: 1m, max-backoff: 1h, bounce-to: postmaster,"
                + " postmaster: pm@example.org }\n"
                + withDeliver(
                    "deliver: { smtp: { host: relay.example.org, user: fwd, password: { env:"
                        + " RELAY_PASS }, to: [alice@example.org] } }"));
    DeliverConfig.Smtp smtp = (DeliverConfig.Smtp) config.accounts().get(0).deliver();
    assertThat(smtp.tls()).isEqualTo(DeliverConfig.Tls.STARTTLS);
    assertThat(smtp.port()).isEqualTo(25);
    assertThat(smtp.to()).containsExactly("alice@example.org");
    assertThat(smtp.route()).isEqualTo(new Route.Smarthost("relay.example.org", 25));
    assertThat(smtp.route().id()).isEqualTo("smtp:relay.example.org:25");
    assertThat(config.queue().lifetime()).isEqualTo(Duration.ofDays(2));
    assertThat(config.queue().bounceToSender()).isFalse();
    assertThat(config.queue().postmaster()).isEqualTo("pm@example.org");
    DeliverConfig.Smtp local =
        (DeliverConfig.Smtp)
            parse(withDeliver("deliver: { smtp: { host: localhost, lmtp: true } }"))
                .accounts()
                .get(0)
                .deliver();
    assertThat(local.tls()).isEqualTo(DeliverConfig.Tls.NONE);
    assertThat(local.port()).isEqualTo(24);
    assertError(
        withDeliver("deliver: { smtp: { host: h, lmtp: true, port: 25 } }"),
        "6: accounts[0].deliver.smtp: LMTP must not run on port 25 (RFC 2033)");
    assertError(
        withDeliver("deliver: { smtp: { host: h, to: [not-an-address] } }"),
        "6: accounts[0].deliver.smtp.to[0]: expected an address, got \"not-an-address\"");
    // A control character would end or split the RCPT command the address goes into.
    assertError(
        withDeliver("deliver: { smtp: { host: h, to: [\"a\\0b@example.org\"] } }"),
        "6: accounts[0].deliver.smtp.to[0]: expected an address, got \"a\\u0000b@example.org\"");
    assertError(
        withDeliver("deliver: { smtp: { host: h, to: [\"a@example.org\\x85x\"] } }"),
        "6: accounts[0].deliver.smtp.to[0]: expected an address, got \"a@example.org\\u0085x\"");
  }
}
