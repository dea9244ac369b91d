package org.popfetch.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.popfetch.delivery.MaildirDestination;

class IoReasonTest {
  @Test
  void fileExceptionsGiveTheirReasonNotTheirPath() {
    assertThat(IoReason.of(new NoSuchFileException("/var/mail/x")))
        .isEqualTo("no such file or directory");
    assertThat(IoReason.of(new AccessDeniedException("/var/mail/x")))
        .isEqualTo("permission denied");
    assertThat(IoReason.of(new FileSystemException("/x", null, "Read-only file system")))
        .isEqualTo("Read-only file system");
    assertThat(IoReason.of(new IOException("No space left on device")))
        .isEqualTo("No space left on device");
  }

  @Test
  void aMaildirThatCannotBeCreatedSaysWhyInWords() {
    // /proc takes no new directories, whoever asks: the path and the reason, no class names.
    assertThatThrownBy(() -> new MaildirDestination(Path.of("/proc/popfetch-no-such"), "h"))
        .hasMessageStartingWith("cannot create Maildir /proc/popfetch-no-such: ")
        .hasMessageNotContaining("Exception")
        .hasMessageNotContaining(": /proc/popfetch-no-such");
  }
}
