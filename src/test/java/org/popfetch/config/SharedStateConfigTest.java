package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.popfetch.config.ConfigLoaderTest.MINIMAL;
import static org.popfetch.config.ConfigLoaderTest.assertError;
import static org.popfetch.config.ConfigLoaderTest.parse;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SharedStateConfigTest {
  @Test
  void aPostgresqlUrlSharesTheStateAndKeepsTheNodesFilesLocal() throws Exception {
    PopfetchConfig config =
        parse(
            """
            state:
              url: "jdbc:postgresql://db.example.org:5432/popfetch"
              user: popfetch
              password: { file: /etc/popfetch/db-password }
              dir: /var/lib/popfetch-node
            """
                + MINIMAL);
    StateLocation state = config.state();
    assertThat(state.clustered()).isTrue();
    assertThat(state.shared())
        .contains(
            new SharedState(
                "jdbc:postgresql://db.example.org:5432/popfetch",
                Optional.of("popfetch"),
                Optional.of(new Secret.FromFile(Path.of("/etc/popfetch/db-password")))));
    assertThat(config.stateUrl()).isEqualTo("jdbc:postgresql://db.example.org:5432/popfetch");
    assertThat(state.directory()).isEqualTo(Path.of("/var/lib/popfetch-node"));
    assertThat(config.quarantine()).isEqualTo(Path.of("/var/lib/popfetch-node/quarantine"));
    assertThat(config.controlSocket()).isEqualTo(Path.of("/var/lib/popfetch-node/control.sock"));
  }

  @Test
  void withoutDirTheNodesFilesGoWhereTheyWouldWithSqlite() throws Exception {
    PopfetchConfig config = parse("state: { url: \"jdbc:postgresql://db/popfetch\" }\n" + MINIMAL);
    assertThat(config.state().directory()).isEqualTo(Path.of("/var/lib/popfetch"));
    assertThat(config.state().shared().get().user()).isEmpty();
    assertThat(config.state().shared().get().password()).isEmpty();
  }

  @Test
  void anSqliteFileIsNotClustered() throws Exception {
    PopfetchConfig config = parse("state: { url: \"jdbc:sqlite:/srv/state.db\" }\n" + MINIMAL);
    assertThat(config.state().clustered()).isFalse();
  }

  @Test
  void credentialsInTheUrlAreRefusedWithoutQuotingThem() {
    for (String url :
        List.of(
            "jdbc:postgresql://db/popfetch?user=u&password=hunter2",
            "jdbc:postgresql://u:hunter2@db/popfetch")) {
      assertError(
          "state: { url: \"" + url + "\" }\n" + MINIMAL,
          "1: state.url: put the credentials in state.user and state.password, not in the URL,"
              + " which is printed in logs and status");
    }
  }

  @Test
  void aUrlWithoutAHostIsRefused() {
    assertError(
        "state: { url: \"jdbc:postgresql:popfetch\" }\n" + MINIMAL,
        "1: state.url: expected jdbc:postgresql://host[:port]/database, got"
            + " \"jdbc:postgresql:popfetch\"");
  }

  @Test
  void sharedKeysAreRefusedForAnSqliteFile() {
    assertError(
        "state: { url: \"jdbc:sqlite:/srv/state.db\", user: popfetch }\n" + MINIMAL,
        "1: state.user: only for a shared state (url: jdbc:postgresql://...); an SQLite file needs"
            + " none");
  }

  @Test
  void errorsNameTheLineAndKey() {
    assertError(
        "state:\n  url: \"jdbc:postgresql://db/popfetch\"\n  password: { env: \"1x\" }\n" + MINIMAL,
        "3: state.password.env: expected an environment variable name, got \"1x\"");
    assertError(
        "state:\n  url: \"jdbc:postgresql://db/popfetch\"\n  dir: relative/dir\n" + MINIMAL,
        "3: state.dir: must be an absolute path, got \"relative/dir\"");
  }
}
