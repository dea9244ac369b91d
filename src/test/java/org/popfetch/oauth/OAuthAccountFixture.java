package org.popfetch.oauth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.popfetch.app.Main;

/**
 * One OAuth account named "work" as popfetch's configuration spells it, with its tokens from the
 * fake authorization server, for the tests that run whole popfetch processes.
 */
final class OAuthAccountFixture {
  static final String ACCOUNT = "work";

  private OAuthAccountFixture() {}

  /**
   * Writes {@code dir/popfetch.yaml}: the state in {@code dir} (so the token store is {@code
   * dir/oauth}), the account's mail delivered to {@code dir/Maildir}, {@code extra} added to the
   * account.
   */
  static Path config(Path dir, FakeAuthorizationServer idp, int pop3Port, String user, String extra)
      throws IOException {
    Path file = dir.resolve("popfetch.yaml");
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return Files.writeString(
        file,
        """
        state: { url: "jdbc:sqlite:%1$s/state.db" }
        accounts:
          - name: %2$s
            server: 127.0.0.1
            port: %3$d
            tls: none
            user: %4$s
            oauth:
              provider: generic
              client-id: %5$s
              token-endpoint: %6$s
              device-endpoint: %7$s
              scope: "mail offline"
              flow: device
            deliver: { maildir: %1$s/Maildir }
        %8$s
        """
            .formatted(
                dir,
                ACCOUNT,
                pop3Port,
                user,
                idp.clientId,
                idp.uri("/token"),
                idp.uri("/devicecode"),
                extra.indent(4).stripTrailing()));
  }

  /** popfetch in a JVM of its own, with the test's class path, its output in {@code log}. */
  static Process child(Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** How many messages a Maildir holds in new/. */
  static long delivered(Path maildir) throws IOException {
    Path fresh = maildir.resolve("new");
    if (!Files.isDirectory(fresh)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(fresh)) {
      return s.count();
    }
  }
}
