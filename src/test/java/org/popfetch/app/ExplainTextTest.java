package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.popfetch.config.AccountConfig;
import org.popfetch.config.ConfigLoader;
import org.popfetch.fetch.AccountExplain;
import org.popfetch.fetch.Decision;
import org.popfetch.fetch.PollFailure;

/** explain's two forms: JSON that parses as documented, and lines, both safe for a terminal. */
class ExplainTextTest {
  private static AccountConfig account() throws Exception {
    return ConfigLoader.parse(
            Path.of("/etc/popfetch/popfetch.yaml"),
            """
            accounts:
              - name: work
                server: pop.example.com
                user: alice
                password: { env: WORK_PASS }
                deliver: { maildir: /home/alice/Maildir }
            """,
            false)
        .accounts()
        .get(0);
  }

  private static final String HOSTILE = "x\u001b[2J\u202eevil\n\"q\"\\";

  private static Decision decision() {
    return new Decision(
        3,
        "uid\u0007-3",
        1234,
        Decision.Seen.NEW,
        Decision.Action.FETCH,
        "rule 1: { header: List-Id, glob: \"*\" }",
        Optional.of(Instant.parse("2026-12-08T10:00:00Z")),
        Optional.of("a@example.org"),
        Optional.of(HOSTILE),
        List.of("u@example.org"),
        List.of("{ maildir: /home/alice/Maildir }"));
  }

  @Test
  void theJsonParsesAsDocumentedAndKeepsHostileTextExactButInert() throws Exception {
    AccountConfig a = account();
    String json =
        ExplainText.json(
            List.of(
                new ExplainText.Account(
                    a,
                    new AccountExplain.Report("work", true, List.of(decision()), Optional.empty())),
                new ExplainText.Account(
                    a,
                    new AccountExplain.Report(
                        "work",
                        false,
                        List.of(),
                        Optional.of(
                            new PollFailure(PollFailure.Kind.AUTH, "-ERR no\u001b]0;x"))))));
    assertThat(json.chars()).noneMatch(c -> c < 0x20 && c != '\n').noneMatch(c -> c == 0x202e);
    JsonNode root = new ObjectMapper().readTree(json);
    assertThat(root.get("explain").asInt()).isEqualTo(1);
    JsonNode first = root.get("accounts").get(0);
    assertThat(first.get("account").asText()).isEqualTo("work");
    assertThat(first.get("server").asText()).isEqualTo("pop.example.com");
    assertThat(first.get("port").asInt()).isEqualTo(995);
    assertThat(first.get("top").asBoolean()).isTrue();
    assertThat(first.get("error").isNull()).isTrue();
    JsonNode m = first.get("messages").get(0);
    assertThat(m.get("number").asInt()).isEqualTo(3);
    assertThat(m.get("uid").asText()).isEqualTo("uid\u0007-3");
    assertThat(m.get("size").asLong()).isEqualTo(1234);
    assertThat(m.get("seen").asText()).isEqualTo("new");
    assertThat(m.get("action").asText()).isEqualTo("fetch");
    assertThat(m.get("rule").asText()).isEqualTo("rule 1: { header: List-Id, glob: \"*\" }");
    assertThat(m.get("delete_at").asText()).isEqualTo("2026-12-08T10:00:00Z");
    assertThat(m.get("sender").asText()).isEqualTo("a@example.org");
    assertThat(m.get("subject").asText()).isEqualTo(HOSTILE);
    assertThat(m.get("recipients").get(0).asText()).isEqualTo("u@example.org");
    assertThat(m.get("destinations").get(0).asText()).isEqualTo("{ maildir: /home/alice/Maildir }");
    JsonNode failed = root.get("accounts").get(1);
    assertThat(failed.get("error").get("kind").asText()).isEqualTo("auth");
    assertThat(failed.get("error").get("message").asText()).isEqualTo("-ERR no\u001b]0;x");
    assertThat(failed.get("messages")).isEmpty();
  }

  @Test
  void theLinesEscapeWhatCameFromTheServerOrTheMessage() throws Exception {
    List<String> lines =
        ExplainText.text(
            List.of(
                new ExplainText.Account(
                    account(),
                    new AccountExplain.Report(
                        "work", false, List.of(decision()), Optional.empty()))));
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("the server has no TOP");
    assertThat(lines.get(1))
        .contains("new", "fetch", "delete-after at 2026-12-08T10:00:00Z", "by rule 1")
        .contains("-> { maildir: /home/alice/Maildir }")
        .doesNotContain("\u001b", "\u202e", "\n", "\u0007");
  }
}
