package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretResolverTest {
  @TempDir Path dir;

  @Test
  void aLiteralIsItsValue() throws Exception {
    assertThat(SecretResolver.resolve(new Secret.Literal("s3cret"))).isEqualTo("s3cret");
  }

  @Test
  void anEnvironmentVariableIsItsValue() throws Exception {
    assertThat(SecretResolver.resolve(new Secret.FromEnv("PATH"))).isEqualTo(System.getenv("PATH"));
  }

  @Test
  void anUnsetEnvironmentVariableIsAnError() {
    String name = "POPFETCH_UNSET_" + UUID.randomUUID().toString().replace('-', '_');
    assertThatThrownBy(() -> SecretResolver.resolve(new Secret.FromEnv(name)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("environment variable " + name + " is not set");
  }

  @Test
  void aPrivateFileGivesItsFirstLine() throws Exception {
    Path file = secretFile("s3cret\r\nsecond line\n", "rw-------");
    assertThat(SecretResolver.resolve(new Secret.FromFile(file))).isEqualTo("s3cret");
  }

  @Test
  void aFileWithoutLineEndIsWhole() throws Exception {
    Path file = secretFile(" spaced s3cret ", "r--------");
    assertThat(SecretResolver.resolve(new Secret.FromFile(file))).isEqualTo(" spaced s3cret ");
  }

  @Test
  void aFileOthersMayReadIsRefused() throws Exception {
    Path file = secretFile("s3cret\n", "rw-r--r--");
    assertThatThrownBy(() -> SecretResolver.resolve(new Secret.FromFile(file)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            file
                + ": mode 0644 lets group and others read it; chmod 600 "
                + file
                + " (or 640 with owner root and popfetch's group)");
  }

  @Test
  void aFileTheGroupMayWriteIsRefused() throws Exception {
    Path file = secretFile("s3cret\n", "rw--w----");
    assertThatThrownBy(() -> SecretResolver.resolve(new Secret.FromFile(file)))
        .hasMessage(
            file
                + ": mode 0620 lets group write it; chmod 600 "
                + file
                + " (or 640 with owner root and popfetch's group)");
  }

  @Test
  void aRootFileOnlyTheServicesGroupMayReadIsFitAsDebianShipsIt() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a file away");
    // Running as root, popfetch's group is root's: 0640 root:root is the service's own file.
    Path file = secretFile("s3cret\n", "rw-r-----");
    assertThat(SecretResolver.resolve(new Secret.FromFile(file))).isEqualTo("s3cret");
    assertThat(SecretResolver.resolve(new Secret.FromFile(secretFile("x\n", "r--r-----"))))
        .isEqualTo("x");
  }

  @Test
  void aRootFileAnotherGroupMayReadOrTheGroupMayWriteIsRefused() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a file away");
    Path otherGroup = secretFile("s3cret\n", "rw-r-----");
    Files.getFileAttributeView(otherGroup, PosixFileAttributeView.class)
        .setGroup(
            FileSystems.getDefault()
                .getUserPrincipalLookupService()
                .lookupPrincipalByGroupName("nogroup"));
    assertThatThrownBy(() -> SecretResolver.resolve(new Secret.FromFile(otherGroup)))
        .hasMessageContaining("mode 0640 lets group read it");
    Path groupWrites = secretFile("s3cret\n", "rw-rw----");
    assertThatThrownBy(() -> SecretResolver.resolve(new Secret.FromFile(groupWrites)))
        .hasMessageContaining("mode 0660 lets group read and write it");
  }

  @Test
  void aFileOfAnotherUserIsRefused() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a file away");
    Path file = secretFile("s3cret\n", "rw-------");
    Files.setOwner(
        file,
        FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    assertThatThrownBy(() -> SecretResolver.resolve(new Secret.FromFile(file)))
        .hasMessage(file + ": owned by nobody, but popfetch runs as root; chown root " + file);
  }

  @Test
  void aMissingFileIsAnError() {
    Path file = dir.resolve("missing");
    assertThatThrownBy(() -> SecretResolver.resolve(new Secret.FromFile(file)))
        .hasMessage(file + ": no such file");
  }

  @Test
  void anEmptyFirstLineIsAnError() throws Exception {
    Path file = secretFile("\ns3cret\n", "rw-------");
    assertThatThrownBy(() -> SecretResolver.resolve(new Secret.FromFile(file)))
        .hasMessage(file + ": the first line is empty");
  }

  @Test
  void aDirectoryIsNotASecretFile() {
    assertThatThrownBy(() -> SecretResolver.resolve(new Secret.FromFile(dir)))
        .hasMessage(dir + ": not a regular file");
  }

  @Test
  void aCommandGivesTheFirstLineItPrints() throws Exception {
    Secret command = new Secret.FromCommand(List.of("/bin/echo", "s3cret"));
    assertThat(SecretResolver.resolve(command)).isEqualTo("s3cret");
  }

  @Test
  void aCommandGetsNoInput() throws Exception {
    // cat would wait forever on an open standard input.
    Secret command = new Secret.FromCommand(List.of("/bin/sh", "-c", "cat; echo s3cret"));
    assertThat(SecretResolver.resolve(command)).isEqualTo("s3cret");
  }

  @Test
  void aFailingCommandIsReportedWithItsStderrButNotItsOutputOrArguments() {
    Secret command =
        new Secret.FromCommand(
            List.of(
                "/bin/sh", "-c", "echo s3cret; printf 'no key\\nfor\\033[31m you\\n' >&2; exit 1"));
    assertThatThrownBy(() -> SecretResolver.resolve(command))
        .isInstanceOf(ConfigException.class)
        .hasMessage("command /bin/sh: exited with status 1: no key | for?[31m you");
  }

  @Test
  void aLongStderrIsCut() {
    Secret command =
        new Secret.FromCommand(
            List.of("/bin/sh", "-c", "head -c 10000 /dev/zero | tr '\\0' x >&2; exit 2"));
    assertThatThrownBy(() -> SecretResolver.resolve(command))
        .hasMessage("command /bin/sh: exited with status 2: " + "x".repeat(300) + "...");
  }

  @Test
  void aMissingCommandIsReported() {
    Secret command = new Secret.FromCommand(List.of("/nonexistent/get-secret", "work"));
    assertThatThrownBy(() -> SecretResolver.resolve(command))
        .hasMessage("command /nonexistent/get-secret: cannot run it: No such file or directory");
  }

  @Test
  void aCommandThatPrintsNothingIsAnError() {
    Secret command = new Secret.FromCommand(List.of("/bin/true"));
    assertThatThrownBy(() -> SecretResolver.resolve(command))
        .hasMessage("command /bin/true: printed nothing on its first line");
  }

  @Test
  void aCommandThatHangsIsKilled() {
    Secret command = new Secret.FromCommand(List.of("/bin/sleep", "60"));
    assertThatThrownBy(() -> SecretResolver.resolve(command, Duration.ofMillis(200)))
        .hasMessage("command /bin/sleep: no answer within 200ms; killed it");
  }

  @Test
  void aCommandThatLeavesAChildBehindIsAnsweredAndItsProcessGroupKilled() throws Exception {
    Path pidFile = dir.resolve("child.pid");
    // The child holds the command's standard output open: reading to its end would wait for it.
    Secret command =
        new Secret.FromCommand(
            List.of("/bin/sh", "-c", "sleep 1000 & echo $! > " + pidFile + "; echo s3cret"));
    long started = System.nanoTime();
    assertThat(SecretResolver.resolve(command, Duration.ofSeconds(20))).isEqualTo("s3cret");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    long child = Long.parseLong(Files.readString(pidFile).strip());
    await().atMost(Duration.ofSeconds(5)).until(() -> !running(child));
  }

  @Test
  void aCommandThatTimesOutHasItsChildrenKilledToo() throws Exception {
    Path pidFile = dir.resolve("child.pid");
    Secret command =
        new Secret.FromCommand(
            List.of("/bin/sh", "-c", "sleep 1000 & echo $! > " + pidFile + "; sleep 1000"));
    assertThatThrownBy(() -> SecretResolver.resolve(command, Duration.ofMillis(500)))
        .hasMessage("command /bin/sh: no answer within 500ms; killed it");
    long child = Long.parseLong(Files.readString(pidFile).strip());
    await().atMost(Duration.ofSeconds(5)).until(() -> !running(child));
  }

  /** Alive and not a zombie waiting for a parent that does not reap (PID 1 in a container). */
  private static boolean running(long pid) throws IOException {
    Path stat = Path.of("/proc/" + pid + "/stat");
    if (!Files.exists(stat)) {
      return false;
    }
    try {
      String s = Files.readString(stat);
      return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
    } catch (NoSuchFileException gone) {
      return false;
    }
  }

  @Test
  void aSecretWithALineBreakIsRefusedWithoutShowingIt() throws Exception {
    Path file = secretFile("s3c\rDELE 1\n", "rw-------");
    assertThatThrownBy(() -> SecretResolver.resolve(new Secret.FromFile(file)))
        .hasMessage(file + ": holds a line break or NUL, which would end the command it is sent in")
        .message()
        .doesNotContain("s3c");
    Secret command = new Secret.FromCommand(List.of("/usr/bin/printf", "s3c\\rDELE 1\\n"));
    assertThatThrownBy(() -> SecretResolver.resolve(command))
        .hasMessage(
            "command /usr/bin/printf: holds a line break or NUL, which would end the command it is"
                + " sent in");
    assertThatThrownBy(() -> SecretResolver.resolve(new Secret.Literal("s3c\nDELE 1")))
        .hasMessage(
            "the value written in the configuration: holds a line break or NUL, which would end the"
                + " command it is sent in");
  }

  @Test
  void describesWhoMayUseAFile() {
    assertThat(SecretResolver.exposure(PosixFilePermissions.fromString("rw-------"))).isNull();
    assertThat(SecretResolver.exposure(PosixFilePermissions.fromString("rwx------"))).isNull();
    assertThat(SecretResolver.exposure(PosixFilePermissions.fromString("rw-r-----")))
        .isEqualTo("mode 0640 lets group read it");
    assertThat(SecretResolver.exposure(PosixFilePermissions.fromString("rw-rw-rw-")))
        .isEqualTo("mode 0666 lets group and others read and write it");
    assertThat(SecretResolver.exposure(PosixFilePermissions.fromString("rwx-----x")))
        .isEqualTo("mode 0701 lets others execute it");
  }

  private Path secretFile(String content, String perms) throws IOException {
    Path file = dir.resolve("secret");
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
    return file;
  }
}
