package org.popfetch.delivery;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.fetch.Outcome;
import org.popfetch.fetch.OversizeAction;
import org.popfetch.fetch.Verdict;
import org.popfetch.message.Envelope;
import org.popfetch.message.HeaderFields;
import org.popfetch.message.TraceHeaders;

class RoutedDestinationTest {
  @TempDir Path dir;

  private static Incoming incoming(String wire, String recipient) throws Exception {
    HeaderFields header =
        HeaderFields.read(new ByteArrayInputStream(wire.getBytes(ISO_8859_1))).header();
    return new Incoming(
        "acct", new Envelope("s@example.org", recipient), TraceHeaders.NONE, header);
  }

  private static long count(Path maildir) throws Exception {
    if (!Files.isDirectory(maildir.resolve("new"))) {
      return 0;
    }
    try (Stream<Path> s = Files.list(maildir.resolve("new"))) {
      return s.count();
    }
  }

  private void deliver(RoutedDestination routed, String wire, String recipient) throws Exception {
    Destination.Staged s =
        routed.stage(
            incoming(wire, recipient), new ByteArrayInputStream(wire.getBytes(ISO_8859_1)));
    routed.commit(List.of(s));
  }

  @Test
  void theFirstMatchingRuleJudgesSkipDeleteItsOwnMaxSizeOrWhereItGoes() throws Exception {
    Path maildir = dir.resolve("Maildir");
    RoutedDestination routed =
        new RoutedDestination(
            List.of(
                new RoutedDestination.Rule(
                    new FieldMatch(
                        FieldMatch.Source.HEADER, "X-Spam-Flag", FieldMatch.Kind.IS, "yes"),
                    List.of(),
                    RoutedDestination.Disposition.DELETE,
                    ""),
                new RoutedDestination.Rule(
                    new FieldMatch(
                        FieldMatch.Source.HEADER,
                        "List-Id",
                        FieldMatch.Kind.REGEX,
                        "<([a-z]+)\\.lists\\.example\\.net>"),
                    List.of(new RoutedDestination.Target.Folder(maildir, "Lists.$1")),
                    new RoutedDestination.Disposition(
                        RoutedDestination.Disposition.Kind.DELIVER,
                        OptionalLong.of(1000),
                        OversizeAction.NOTICE),
                    "lists"),
                new RoutedDestination.Rule(
                    new FieldMatch(FieldMatch.Source.SENDER, null, FieldMatch.Kind.GLOB, "*"),
                    List.of(),
                    RoutedDestination.Disposition.SKIP,
                    "")),
            new MaildirDestination(maildir, "h"),
            dir.resolve("spool"),
            "h");
    assertThat(routed.needsHeaders()).isTrue();
    assertThat(routed.judge(incoming("X-Spam-Flag: YES\r\n\r\n", "me@example.org"), 10))
        .isEqualTo(new Verdict.Delete("rule 1"));
    String list = "List-Id: <dev.lists.example.net>\r\n\r\n";
    assertThat(routed.judge(incoming(list, "me@example.org"), 1000))
        .isEqualTo(
            new Verdict.Fetch("lists", List.of("maildir " + maildir + " folder .Lists.dev")));
    assertThat(routed.judge(incoming(list, "me@example.org"), 1001))
        .isEqualTo(new Verdict.Oversize("lists", 1000, OversizeAction.NOTICE));
    assertThat(routed.judge(incoming("Subject: x\r\n\r\n", "me@example.org"), 10))
        .isEqualTo(new Verdict.Skip("rule 3"));
    // popfetch's own notice, matched first by a rule that fetches nothing, goes to the account's
    // destination rather than nowhere.
    deliver(
        routed, "From: popfetch <MAILER-DAEMON@h>\r\nSubject: n\r\n\r\nx\r\n", "me@example.org");
    assertThat(count(maildir)).isEqualTo(1);
  }

  @Test
  void withoutRulesThatDecideBeforeDownloadNoHeaderIsNeeded() throws Exception {
    RoutedDestination routed =
        new RoutedDestination(
            List.of(
                new RoutedDestination.Rule(
                    new FieldMatch(FieldMatch.Source.HEADER, "List-Id", FieldMatch.Kind.GLOB, "*"),
                    List.of(
                        new RoutedDestination.Target.Fixed(
                            new MaildirDestination(dir.resolve("L"), "h"))))),
            new MaildirDestination(dir.resolve("M"), "h"),
            dir.resolve("spool"),
            "h");
    assertThat(routed.needsHeaders()).isFalse();
    assertThat(routed.judge(incoming("Subject: x\r\n\r\n", "me@example.org"), 10))
        .isEqualTo(new Verdict.Fetch("", List.of("maildir " + dir.resolve("M"))));
  }

  @Test
  void listsGoToTheirFolderSeveralDestinationsAllGetItAndTheRestFallsThrough() throws Exception {
    Path maildir = dir.resolve("Maildir");
    Path mbox = dir.resolve("bob.mbox");
    MaildirDestination inbox = new MaildirDestination(maildir, "h");
    RoutedDestination routed =
        new RoutedDestination(
            List.of(
                new RoutedDestination.Rule(
                    new FieldMatch(
                        FieldMatch.Source.HEADER,
                        "list-id",
                        FieldMatch.Kind.REGEX,
                        "<([a-z]+)\\.lists\\.example\\.net>"),
                    List.of(new RoutedDestination.Target.Folder(maildir, "Lists.$1"))),
                new RoutedDestination.Rule(
                    new FieldMatch(
                        FieldMatch.Source.RECIPIENT, null, FieldMatch.Kind.IS, "BOB@example.org"),
                    List.of(
                        new RoutedDestination.Target.Fixed(
                            new MboxDestination(mbox, dir.resolve("spool"))),
                        new RoutedDestination.Target.Folder(maildir, "Bob")))),
            inbox,
            dir.resolve("spool"),
            "h");
    deliver(
        routed,
        "List-Id: Developers <dev.lists.example.net>\r\nSubject: a\r\n\r\nx\r\n",
        "me@example.org");
    deliver(routed, "Subject: for bob\r\n\r\ny\r\n", "bob@example.org");
    deliver(routed, "Subject: plain\r\n\r\nz\r\n", "me@example.org");

    assertThat(count(maildir.resolve(".Lists.dev"))).isEqualTo(1);
    assertThat(Files.exists(maildir.resolve(".Lists.dev/maildirfolder"))).isTrue();
    assertThat(count(maildir.resolve(".Bob"))).isEqualTo(1);
    assertThat(Files.readString(mbox)).contains("Subject: for bob");
    assertThat(count(maildir)).isEqualTo(1);
  }

  @Test
  void aFolderOfAMaildirAnotherProcessWritesIsOpenedThroughItsOpenerOncePerFolder()
      throws Exception {
    Path maildir = dir.resolve("Maildir");
    List<String> opened = new ArrayList<>();
    RoutedDestination.FolderOpener opener =
        (root, folder) -> {
          opened.add(root + " " + folder);
          return MaildirDestination.folder(dir.resolve("agent-side"), folder, "h");
        };
    RoutedDestination routed =
        new RoutedDestination(
            List.of(
                new RoutedDestination.Rule(
                    new FieldMatch(
                        FieldMatch.Source.HEADER,
                        "list-id",
                        FieldMatch.Kind.REGEX,
                        "<([a-z]+)\\.lists\\.example\\.net>"),
                    List.of(
                        new RoutedDestination.Target.Folder(
                            maildir, "Lists.$1", Optional.of(opener))))),
            new MaildirDestination(maildir, "h"),
            dir.resolve("spool"),
            "h");
    for (int i = 0; i < 2; i++) {
      deliver(
          routed,
          "List-Id: Developers <dev.lists.example.net>\r\nSubject: a\r\n\r\nx\r\n",
          "me@example.org");
    }
    assertThat(opened).containsExactly(maildir + " .Lists.dev");
    assertThat(count(dir.resolve("agent-side/.Lists.dev"))).isEqualTo(2);
    assertThat(Files.exists(maildir.resolve(".Lists.dev"))).isFalse();
  }

  /** A rule with a Maildir folder and a program whose exit status is {@code status}. */
  private RoutedDestination folderAndProgram(Path maildir, int status) throws Exception {
    PipeDestination program =
        new PipeDestination(
            List.of("/bin/sh", "-c", "cat >/dev/null; exit " + status),
            Duration.ofSeconds(20),
            dir.resolve("spool"),
            Optional.empty(),
            true);
    return new RoutedDestination(
        List.of(
            new RoutedDestination.Rule(
                new FieldMatch(
                    FieldMatch.Source.RECIPIENT, null, FieldMatch.Kind.IS, "bob@example.org"),
                List.of(
                    new RoutedDestination.Target.Fixed(program),
                    new RoutedDestination.Target.Folder(maildir, "Bob")))),
        new MaildirDestination(maildir, "h"),
        dir.resolve("spool"),
        "h");
  }

  private static List<Path> files(Path directory) throws Exception {
    try (Stream<Path> s = Files.list(directory)) {
      return s.toList();
    }
  }

  @Test
  void oneTargetDeferringDefersTheMessageForAllAndLeavesNoCopyBehind() throws Exception {
    Path maildir = dir.resolve("Maildir");
    RoutedDestination routed = folderAndProgram(maildir, 75);
    String wire = "Subject: for bob\r\n\r\ny\r\n";

    assertThatThrownBy(() -> deliver(routed, wire, "bob@example.org"))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> {
              assertThat(e.refusal()).isInstanceOf(Outcome.Deferred.class);
              assertThat(e.getMessage()).contains("exited with 75");
            });
    assertThat(files(maildir.resolve(".Bob/tmp")))
        .as("the folder's staged copy discarded")
        .isEmpty();
    assertThat(count(maildir.resolve(".Bob"))).isZero();
  }

  @Test
  void oneTargetRejectingRejectsTheMessageForAllWithTheCopyForTheQuarantine() throws Exception {
    Path maildir = dir.resolve("Maildir");
    RoutedDestination routed = folderAndProgram(maildir, 67);
    String wire = "Subject: for bob\r\n\r\ny\r\n";

    assertThatThrownBy(() -> deliver(routed, wire, "bob@example.org"))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> {
              assertThat(e.refusal())
                  .isInstanceOfSatisfying(
                      Outcome.Rejected.class,
                      r -> {
                        assertThat(r.rescued())
                            .hasValueSatisfying(
                                p -> {
                                  try {
                                    assertThat(Files.readString(p)).contains("Subject: for bob");
                                    Files.delete(p);
                                  } catch (IOException io) {
                                    throw new UncheckedIOException(io);
                                  }
                                });
                      });
            });
    assertThat(files(maildir.resolve(".Bob/tmp")))
        .as("the folder's staged copy discarded")
        .isEmpty();
    assertThat(count(maildir.resolve(".Bob"))).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "/etc/x", "..", ".", "a..b", "x\u0000y/..", "", "."})
  void folderNamesThatCouldEscapeAreRefused(String name) {
    assertThat(MaildirFolders.resolve(dir, name))
        .as(name)
        .satisfiesAnyOf(
            r -> assertThat(r).isEmpty(), r -> assertThat(r.get().getParent()).isEqualTo(dir));
  }

  @Test
  void hostileHeaderTextStaysInsideTheMaildir() throws Exception {
    Path maildir = dir.resolve("Maildir");
    for (String evil :
        List.of("../../etc", "/etc/cron.d", "..", "a\nb", "x".repeat(300), "\u2025\u2025/etc")) {
      Matcher m = Pattern.compile("(.*)", Pattern.DOTALL).matcher(evil);
      assertThat(m.matches()).isTrue();
      String name = MaildirFolders.expand("Lists.$1", m);
      MaildirFolders.resolve(maildir, name)
          .ifPresent(
              p -> {
                assertThat(p.getParent()).as(evil).isEqualTo(maildir);
                assertThat(p.getFileName().toString())
                    .doesNotContain("/")
                    .doesNotContain("\n")
                    .startsWith(".Lists.");
              });
    }
    RoutedDestination routed =
        new RoutedDestination(
            List.of(
                new RoutedDestination.Rule(
                    new FieldMatch(
                        FieldMatch.Source.HEADER, "X-Folder", FieldMatch.Kind.REGEX, "(.*)"),
                    List.of(new RoutedDestination.Target.Folder(maildir, "$1")))),
            new MaildirDestination(maildir, "h"),
            dir.resolve("spool"),
            "h");
    deliver(routed, "X-Folder: ../../outside\r\nSubject: evil\r\n\r\nx\r\n", "me@example.org");
    assertThat(count(maildir)).as("refused name: delivered to INBOX, not lost").isEqualTo(1);
    try (Stream<Path> all = Files.walk(dir)) {
      assertThat(all.filter(p -> p.toString().contains("outside"))).isEmpty();
    }
  }

  @Test
  void globsAndExactMatchesIgnoreCaseAndHeaderNamesToo() throws Exception {
    Incoming in = incoming("SUBJECT: Invoice 4711\r\nX-Spam: YES\r\n\r\n", "me@example.org");
    assertThat(
            new FieldMatch(FieldMatch.Source.HEADER, "subject", FieldMatch.Kind.GLOB, "invoice *")
                .match(in))
        .isPresent();
    assertThat(
            new FieldMatch(FieldMatch.Source.HEADER, "x-spam", FieldMatch.Kind.IS, "yes").match(in))
        .isPresent();
    assertThat(
            new FieldMatch(FieldMatch.Source.HEADER, "x-spam", FieldMatch.Kind.IS, "ye").match(in))
        .isEmpty();
    assertThat(
            new FieldMatch(
                    FieldMatch.Source.HEADER, "Subject", FieldMatch.Kind.REGEX, "^Invoice \\d+$")
                .match(in))
        .isPresent();
    assertThat(
            new FieldMatch(FieldMatch.Source.HEADER, "Subject", FieldMatch.Kind.REGEX, "^invoice")
                .match(in))
        .isEmpty();
    assertThat(
            new FieldMatch(FieldMatch.Source.HEADER, "Missing", FieldMatch.Kind.GLOB, "*")
                .match(in))
        .isEmpty();
  }
}
