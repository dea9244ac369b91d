package org.popfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The "what to do" that ends every poll failure's line. */
class PollFailureRemedyTest {
  @Test
  void everyKindSaysWhatToDo() {
    for (PollFailure.Kind kind : PollFailure.Kind.values()) {
      assertThat(new PollFailure(kind, "x").remedy()).as(kind.name()).isNotBlank();
    }
  }

  @Test
  void theOsReasonPicksTheAdviceForADestination() {
    assertThat(remedy("cannot append to /var/mail/x: Read-only file system"))
        .startsWith("make it writable (a systemd unit needs it in ReadWritePaths=)");
    assertThat(remedy("cannot create Maildir /m: permission denied"))
        .startsWith("let the user popfetch runs as (" + System.getProperty("user.name") + ")");
    assertThat(remedy("cannot create Maildir /m: no such file or directory"))
        .startsWith("create it, or correct deliver:");
    assertThat(remedy("cannot append to /var/mail/x: No space left on device"))
        .startsWith("free some space");
  }

  @Test
  void theMailStaysOnTheServerIsSaidOnce() {
    String m =
        "refusing to deliver to maildir /h/M: /h/M is a symbolic link; popfetch follows none inside"
            + " a mailbox or in a directory another user can write; the mail stays on the server";
    assertThat(m + "; " + remedy(m))
        .containsOnlyOnce("stays on the server")
        .endsWith(
            "; deliver to the real path, or make the directories on the way writable by"
                + " their owner only");
    assertThat(remedy("cannot create Maildir /m: permission denied"))
        .endsWith("; the mail stays on the server until then");
  }

  private static String remedy(String message) {
    return new PollFailure(PollFailure.Kind.DELIVERY, message).remedy();
  }
}
