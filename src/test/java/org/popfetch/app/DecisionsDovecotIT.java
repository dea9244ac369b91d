package org.popfetch.app;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.TestPki;
import picocli.CommandLine;

/**
 * Decisions before download and {@code popfetch explain} against a real Dovecot, whose own log line
 * at logout ("top=N/.., retr=N/.., del=N/N") says what popfetch asked of it.
 */
class DecisionsDovecotIT {
  @TempDir static Path shared;
  static DovecotServer dovecot;
  static Path caFile;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    TestPki pki = TestPki.create("popfetch decisions test CA");
    caFile = pki.writeCaPem(shared.resolve("ca.pem"));
    dovecot =
        DovecotServer.start(
            DovecotServer.users("spam", "pw-spam", "big", "pw-big", "mixed", "pw-mixed"),
            pki.issue("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  /** A message with these extra header lines ("X-Spam-Flag: YES"). */
  private static void seed(String user, String id, int bodyLines, String... extra)
      throws Exception {
    String m = Mail.message(id, bodyLines);
    for (String h : extra) {
      m = h + "\n" + m;
    }
    dovecot.deliver(user, m.getBytes(ISO_8859_1));
  }

  private Path config(String user, String extra) throws Exception {
    Path file = dir.resolve("popfetch.yaml");
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        file,
        """
        state: { url: "jdbc:sqlite:%5$s" }
        accounts:
          - name: %1$s
            server: 127.0.0.1
            port: %2$d
            ca-file: %3$s
            user: %1$s
            password: pw-%1$s
            deliver: { maildir: %4$s }
        %6$s
        """
            .formatted(
                user,
                dovecot.pop3sPort(),
                caFile,
                maildir(user),
                dir.resolve("state.db"),
                extra.indent(4).stripTrailing()));
    return file;
  }

  private Path maildir(String user) {
    return dir.resolve("Maildir-" + user);
  }

  private record Run(int status, String out, String err) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int status = cli.execute(args);
    return new Run(status, out.toString(), err.toString());
  }

  private static final Pattern LOGOUT =
      Pattern.compile("pop3\\((\\w+)\\).*?top=(\\d+)/\\d+, retr=(\\d+)/\\d+, del=(\\d+)/\\d+");

  /**
   * {@link #sessions}, once Dovecot has logged at least {@code count} of them: its log process
   * writes a session's line after the client has had the answer to QUIT and gone.
   */
  private static List<int[]> loggedSessions(String user, int count) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> sessions(user), s -> s.size() >= count);
  }

  /** What Dovecot logged of each of this user's sessions: [top, retr, del]. */
  private static List<int[]> sessions(String user) {
    List<int[]> out = new ArrayList<>();
    Matcher m = LOGOUT.matcher(dovecot.logs());
    while (m.find()) {
      if (m.group(1).equals(user)) {
        out.add(
            new int[] {
              Integer.parseInt(m.group(2)),
              Integer.parseInt(m.group(3)),
              Integer.parseInt(m.group(4))
            });
      }
    }
    return out;
  }

  private static List<String> files(Path maildir) throws Exception {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(maildir.resolve("new"))) {
      for (Path p : s.toList()) {
        out.add(Files.readString(p, ISO_8859_1));
      }
    }
    return out;
  }

  @Test
  void aTopBasedDeleteRemovesSpamThatWasNeverRetrieved() throws Exception {
    seed("spam", "n1", 5);
    seed("spam", "junk", 400, "X-Spam-Flag: YES");
    seed("spam", "n2", 5);
    Path config =
        config(
            "spam",
            """
            rules:
              - match: { header: X-Spam-Flag, is: "YES" }
                action: delete
            """);
    Run poll = popfetch("poll", "--config", config.toString());
    assertThat(poll.status()).as(poll.out() + poll.err()).isZero();
    assertThat(Mail.idsIn(maildir("spam"))).containsExactlyInAnyOrder("n1", "n2");
    assertThat(dovecot.messageCount("spam")).isZero();
    // Three headers read, two messages retrieved, three deleted: the spam never came whole.
    assertThat(loggedSessions("spam", 1)).hasSize(1);
    assertThat(sessions("spam").get(0)).containsExactly(3, 2, 3);
  }

  @Test
  void anOversizeNoticeIsDeliveredOnceAndTheMessageStays() throws Exception {
    seed("big", "small", 5);
    seed("big", "video", 2000);
    Path config = config("big", "max-size: { size: 4k, action: notice }");
    Run first = popfetch("poll", "--config", config.toString());
    assertThat(first.status()).as(first.out() + first.err()).isZero();
    assertThat(dovecot.messageCount("big")).isEqualTo(1);
    List<String> got = files(maildir("big"));
    assertThat(got).hasSize(2);
    assertThat(got)
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("Subject: popfetch: too large, left on the server: video")
                    .contains("sender@example.org")
                    .containsPattern("Size: +\\d{5,} octets"));
    // TOP of video, RETR of small
    assertThat(loggedSessions("big", 1).get(0)).containsExactly(1, 1, 1);
    Run second = popfetch("poll", "--config", config.toString());
    assertThat(second.status()).as(second.out() + second.err()).isEqualTo(1); // nothing new
    assertThat(files(maildir("big"))).hasSize(2); // told once
    assertThat(loggedSessions("big", 2).get(1)).containsExactly(0, 0, 0);
    assertThat(dovecot.messageCount("big")).isEqualTo(1);
  }

  @Test
  void explainOnAMixedMailboxSaysWhatAPollWouldDoAndChangesNothing() throws Exception {
    Path config =
        config(
            "mixed",
            """
            keep: true
            delete-after: 7d
            max-size: 8k
            rules:
              - match: { header: X-Spam-Flag, is: "YES" }
                action: skip
              - match: { header: List-Id, glob: "*<dev.example.org>*" }
                deliver: { maildir: %s, folder: Lists.dev }
            """
                .formatted(maildir("mixed")));
    seed("mixed", "old", 5);
    assertThat(popfetch("poll", "--config", config.toString()).status()).isZero();
    seed("mixed", "hello", 5);
    seed("mixed", "junk", 5, "X-Spam-Flag: YES");
    seed("mixed", "list", 5, "List-Id: Dev <dev.example.org>");
    seed("mixed", "huge", 2000);
    String stateBefore = digest(dir.resolve("state.db"));
    int sessionsBefore = loggedSessions("mixed", 1).size();

    Run explain = popfetch("explain", "--json", "--config", config.toString());
    assertThat(explain.status()).as(explain.out() + explain.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(explain.out());
    assertThat(root.get("explain").asInt()).isEqualTo(1);
    JsonNode account = root.get("accounts").get(0);
    assertThat(account.get("account").asText()).isEqualTo("mixed");
    assertThat(account.get("top").asBoolean()).isTrue();
    assertThat(account.get("error").isNull()).isTrue();
    JsonNode m = account.get("messages");
    assertThat(m).hasSize(5);
    assertThat(m.get(0).get("seen").asText()).isEqualTo("kept");
    assertThat(m.get(0).get("action").asText()).isEqualTo("keep");
    assertThat(m.get(0).get("delete_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(m.get(1).get("seen").asText()).isEqualTo("new");
    assertThat(m.get(1).get("action").asText()).isEqualTo("fetch");
    assertThat(m.get(1).get("subject").asText()).isEqualTo("hello");
    assertThat(m.get(1).get("sender").asText()).isEqualTo("sender@example.org");
    assertThat(m.get(1).get("recipients").get(0).asText()).isEqualTo("mixed@127.0.0.1");
    assertThat(m.get(1).get("destinations").get(0).asText())
        .isEqualTo("{ maildir: " + maildir("mixed") + " }");
    assertThat(m.get(1).get("rule").isNull()).isTrue();
    assertThat(m.get(2).get("action").asText()).isEqualTo("skip");
    assertThat(m.get(2).get("rule").asText()).startsWith("rule 1: { header: X-Spam-Flag");
    assertThat(m.get(3).get("action").asText()).isEqualTo("fetch");
    assertThat(m.get(3).get("rule").asText()).startsWith("rule 2:");
    assertThat(m.get(3).get("destinations").get(0).asText())
        .isEqualTo("maildir " + maildir("mixed") + " folder .Lists.dev");
    assertThat(m.get(4).get("action").asText()).isEqualTo("oversize-leave");
    assertThat(m.get(4).get("size").asLong()).isGreaterThan(8192);

    // Nothing changed: the server has all five, Dovecot saw TOPs and no RETR or DELE, and the
    // state file is as it was.
    assertThat(dovecot.messageCount("mixed")).isEqualTo(5);
    List<int[]> after = loggedSessions("mixed", sessionsBefore + 1);
    assertThat(after).hasSize(sessionsBefore + 1);
    assertThat(after.get(after.size() - 1)).containsExactly(3, 0, 0);
    assertThat(digest(dir.resolve("state.db"))).isEqualTo(stateBefore);

    // And the poll does what explain said.
    Run poll = popfetch("poll", "--config", config.toString());
    assertThat(poll.status()).as(poll.out() + poll.err()).isZero();
    assertThat(Mail.idsIn(maildir("mixed"))).containsExactlyInAnyOrder("old", "hello");
    assertThat(Mail.idsIn(maildir("mixed").resolve(".Lists.dev"))).containsExactly("list");
    assertThat(dovecot.messageCount("mixed")).isEqualTo(5);
  }

  private static String digest(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
