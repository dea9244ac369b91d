package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.SeenUid;
import org.popfetch.fetch.UidState;
import org.popfetch.store.SqliteSeenUidStore;
import picocli.CommandLine;

class ImportSeenCommandTest {
  @TempDir Path dir;
  private Path config;

  private record Run(int status, String out, String err) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(Main.execute(cli, args), out.toString(), err.toString());
  }

  private static String sample(String name) {
    try {
      return Path.of(ImportSeenCommandTest.class.getResource("/seen/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeEach
  void config() throws Exception {
    config = dir.resolve("popfetch.yaml");
    Files.writeString(
        config,
        """
        state: { url: "jdbc:sqlite:%1$s/state.db" }
        accounts:
          - name: alice
            server: 127.0.0.1
            port: 11110
            tls: none
            user: alice
            password: { env: NOT_NEEDED_TO_IMPORT }
            keep: true
            deliver: { maildir: %1$s/Maildir }
          - name: alice-tls
            server: 127.0.0.1
            port: 995
            user: alice
            password: { env: NOT_NEEDED_TO_IMPORT }
            keep: true
            deliver: { maildir: %1$s/Maildir }
        """
            .formatted(dir));
  }

  private Map<String, SeenUid> stored(String server, int port) throws Exception {
    try (SqliteSeenUidStore store = SqliteSeenUidStore.open(dir.resolve("state.db"))) {
      return store.load(AccountKey.of(server, port, "alice"));
    }
  }

  @Test
  void fetchidsAreRecordedAsKeptForEveryPortOfTheUserAndServerAndAgainChangeNothing()
      throws Exception {
    Run run = popfetch("import", "seen", "--config", config.toString(), sample("fetchids"));

    assertThat(run.out())
        .contains("alice: 2 imported, 0 already known")
        .contains("alice-tls: 2 imported, 0 already known");
    // bob's mailbox matches no account; the damaged lines are named, escaped; status 1 says so.
    assertThat(run.status()).as(run.err()).isEqualTo(ImportCommand.PARTLY);
    assertThat(run.err())
        .contains("fetchids:3: fetchmail mailbox bob@other.example (1 UIDs) matches no account")
        .contains("fetchids:4: not \"user@server UID\"; skipped")
        .contains("fetchids:5: not \"user@server UID\"; skipped")
        .doesNotContain("\u001b");
    Map<String, SeenUid> seen = stored("127.0.0.1", 11110);
    assertThat(seen).containsOnlyKeys("000000016b0e0c17", "000000026b0e0c17");
    assertThat(seen.get("000000016b0e0c17").state()).isEqualTo(UidState.KEPT);
    assertThat(seen.get("000000016b0e0c17").size()).isEqualTo(SeenUid.UNKNOWN_SIZE);

    Run again = popfetch("import", "seen", "--config", config.toString(), sample("fetchids"));
    assertThat(again.out()).contains("alice: 0 imported, 2 already known");
    assertThat(stored("127.0.0.1", 11110)).isEqualTo(seen);
  }

  @Test
  void mpopsUidlFileIsToldFromItsContentAndMatchedByServerAndUser() throws Exception {
    Run run =
        popfetch(
            "import",
            "seen",
            "--config",
            config.toString(),
            "--account",
            "alice",
            sample("alice_at_127.0.0.1"));

    assertThat(run.out()).contains("alice: 2 imported").doesNotContain("alice-tls");
    assertThat(run.err())
        .contains("alice_at_127.0.0.1:10: mpop mailbox carol@pop.elsewhere.example (1 UIDs)");
    assertThat(stored("127.0.0.1", 11110)).containsOnlyKeys("000000016b0e0c17", "000000026b0e0c17");
    assertThat(stored("127.0.0.1", 995)).isEmpty();
  }

  @Test
  void getmailsOldmailFileMatchesByServerPortAndUserAndKeepsItsTimes() throws Exception {
    Run run =
        popfetch(
            "import",
            "seen",
            "--from",
            "getmail",
            "--config",
            config.toString(),
            Path.of(sample("oldmail-127.0.0.1-11110-alice")).getParent().toString());

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("alice: 2 imported, 0 already known")
        .doesNotContain("alice-tls");
    assertThat(stored("127.0.0.1", 11110).get("000000026b0e0c17").firstSeen())
        .isEqualTo(Instant.ofEpochSecond(1796082720L));
  }

  @Test
  void aHugeLineIsSkippedWithItsLineNumberAndTheRestIsImported() throws Exception {
    Path ids =
        Files.writeString(
            dir.resolve(".fetchids"),
            "alice@127.0.0.1 A1\nalice@127.0.0.1 "
                + "X".repeat(1_000_000)
                + "\nalice@127.0.0.1 A3\n");

    Run run =
        popfetch("import", "seen", "--config", config.toString(), "-a", "alice", ids.toString());

    assertThat(run.status()).isEqualTo(ImportCommand.PARTLY);
    assertThat(run.err()).contains(".fetchids:2: a line longer than 4096 bytes; skipped");
    assertThat(run.err().length()).isLessThan(2000);
    assertThat(stored("127.0.0.1", 11110)).containsOnlyKeys("A1", "A3");
  }

  @Test
  void aFileOfNoKnownFormatIsAConfigurationStyleErrorAndRecordsNothing() throws Exception {
    Path junk = Files.writeString(dir.resolve("junk"), "hello world\n");

    Run run = popfetch("import", "seen", "--config", config.toString(), junk.toString());

    assertThat(run.status()).isEqualTo(ExitStatus.SYNTAX.code);
    assertThat(run.err()).contains("not a file of fetchmail, mpop or getmail");
    assertThat(stored("127.0.0.1", 11110)).isEmpty();
  }
}
