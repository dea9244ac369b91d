package org.popfetch.delivery;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Incoming;
import org.popfetch.fetch.Outcome;
import org.popfetch.message.Envelope;
import org.popfetch.message.TraceHeaders;

class PipeDestinationTest {
  @TempDir Path dir;

  private Path script(String name, String body) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  private static Incoming message(String sender, String recipient) {
    return new Incoming(
        "work",
        new Envelope(sender, recipient),
        new TraceHeaders(List.of("Delivered-To: " + recipient)));
  }

  private static ByteArrayInputStream wire(String s) {
    return new ByteArrayInputStream(s.getBytes(ISO_8859_1));
  }

  @Test
  void theMessageGoesToStandardInputAndEachPlaceholderIsExactlyOneSafeArgument() throws Exception {
    Path args = dir.resolve("args");
    Path stdin = dir.resolve("stdin");
    Path env = dir.resolve("env");
    Path agent =
        script(
            "agent",
            "for a in \"$@\"; do printf '%s\\n' \"$a\" >> "
                + args
                + "; done\ncat > "
                + stdin
                + "\nenv > "
                + env);
    PipeDestination pipe =
        new PipeDestination(
            List.of(agent.toString(), "-f", "%{sender}", "--", "%{recipient}", "%{account}"),
            Duration.ofSeconds(20),
            dir.resolve("spool"),
            Optional.empty(),
            true);
    pipe.stage(
        message("$(touch " + dir.resolve("pwned") + ")", "-oQ/tmp/q;rm -rf /"),
        wire("Subject: hi\r\n\r\nbody\r\n"));
    assertThat(Files.readAllLines(args))
        .containsExactly(
            "-f",
            "__touch__" + PipeDestination.safe(dir.resolve("pwned").toString()).substring(1) + "_",
            "--",
            "_oQ_tmp_q_rm_-rf__",
            "work");
    assertThat(Files.exists(dir.resolve("pwned"))).isFalse();
    assertThat(Files.readString(stdin))
        .isEqualTo("Delivered-To: -oQ/tmp/q;rm -rf /\nSubject: hi\n\nbody\n");
    assertThat(Files.readAllLines(env))
        .allMatch(
            l -> l.matches("(PATH|HOME|USER|LOGNAME|LANG|PWD|SHLVL|_)=.*"),
            "only the minimal environment");
    try (var spool = Files.list(dir.resolve("spool"))) {
      assertThat(spool.toList()).as("spool cleaned up").isEmpty();
    }
  }

  @Test
  void placeholdersInsideOtherTextAreRefused() {
    assertThatThrownBy(
            () ->
                new PipeDestination(
                    List.of("/bin/true", "--to=%{recipient}"),
                    Duration.ofSeconds(1),
                    dir,
                    Optional.empty(),
                    true))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void exTempfailIsTemporaryWithTheAgentsWords() throws Exception {
    PipeDestination pipe =
        new PipeDestination(
            List.of(
                script("busy", "cat >/dev/null; echo 'mailbox locked' >&2; exit 75").toString()),
            Duration.ofSeconds(20),
            dir.resolve("spool"),
            Optional.empty(),
            true);
    assertThatThrownBy(() -> pipe.stage(message("a@b", "c@d"), wire("x\r\n")))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> {
              assertThat(e.refusal()).isInstanceOf(Outcome.Deferred.class); // carries no copy
              assertThat(e.getMessage())
                  .contains("exited with 75 (EX_TEMPFAIL)")
                  .contains("mailbox locked");
            });
  }

  @Test
  void anyOtherFailureIsPermanentAndHandsTheMessageBack() throws Exception {
    PipeDestination pipe =
        new PipeDestination(
            List.of(
                script("refuse", "cat >/dev/null; echo 'no such user' >&2; exit 67").toString()),
            Duration.ofSeconds(20),
            dir.resolve("spool"),
            Optional.empty(),
            true);
    assertThatThrownBy(
            () -> pipe.stage(message("a@b", "c@d"), wire("Subject: keep me\r\n\r\nbody\r\n")))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> {
              assertThat(e.refusal()).isInstanceOf(Outcome.Rejected.class);
              assertThat(e.getMessage()).contains("exited with 67 (EX_NOUSER): no such user");
              assertThat(((Outcome.Rejected) e.refusal()).rescued())
                  .hasValueSatisfying(
                      p -> {
                        try {
                          assertThat(Files.readString(p))
                              .isEqualTo("Delivered-To: c@d\nSubject: keep me\n\nbody\n");
                        } catch (IOException io) {
                          throw new UncheckedIOException(io);
                        }
                      });
            });
  }

  @Test
  void anAgentThatNeverExitsIsKilledAndTheFailureIsTemporary() throws Exception {
    Path pidFile = dir.resolve("pid");
    PipeDestination pipe =
        new PipeDestination(
            List.of(script("hang", "echo $$ > " + pidFile + "; exec sleep 600").toString()),
            Duration.ofMillis(700),
            dir.resolve("spool"),
            Optional.empty(),
            true);
    assertThatThrownBy(() -> pipe.stage(message("a@b", "c@d"), wire("x\r\n")))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> {
              assertThat(e.refusal()).isInstanceOf(Outcome.Deferred.class);
              assertThat(e.getMessage()).contains("did not finish within");
            });
    long pid = Long.parseLong(Files.readString(pidFile).strip());
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void asRootAnAgentRunsAsTheConfiguredUserOrOnlyWhenAllowed() throws Exception {
    Assumptions.assumeTrue(Identity.isRoot(), "needs root, as CI has");
    assertThatThrownBy(
            () ->
                new PipeDestination(
                    List.of("/bin/true"),
                    Duration.ofSeconds(5),
                    dir.resolve("spool"),
                    Optional.empty(),
                    false))
        .isInstanceOf(DeliveryException.class)
        .hasMessageContaining("refusing to run /bin/true as root");
    Path out = Files.createDirectories(dir.resolve("shared"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path agent =
        script("whoami", "id -u > " + out.resolve("uid") + "; cat > " + out.resolve("msg"));
    Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
    PipeDestination pipe =
        new PipeDestination(
            List.of(agent.toString()),
            Duration.ofSeconds(20),
            dir.resolve("spool"),
            Optional.of("nobody"),
            false);
    pipe.stage(message("a@b", "c@d"), wire("Subject: as nobody\r\n\r\nx\r\n"));
    assertThat(Files.readString(out.resolve("uid")).strip()).isEqualTo("65534");
    assertThat(Files.readString(out.resolve("msg"))).contains("Subject: as nobody");
  }
}
