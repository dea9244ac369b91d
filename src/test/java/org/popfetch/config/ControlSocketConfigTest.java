package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.popfetch.config.ConfigLoaderTest.MINIMAL;
import static org.popfetch.config.ConfigLoaderTest.assertError;
import static org.popfetch.config.ConfigLoaderTest.parse;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code control: { socket: PATH }}: where {@code run} takes commands and clients find it. */
class ControlSocketConfigTest {
  @Test
  void defaultsToControlSockBesideTheStateStore() throws Exception {
    assertThat(parse(MINIMAL).controlSocket()).isEqualTo(Path.of("/var/lib/popfetch/control.sock"));
    assertThat(
            parse("state: { url: \"jdbc:sqlite:/srv/pf/state.db\" }\n" + MINIMAL).controlSocket())
        .isEqualTo(Path.of("/srv/pf/control.sock"));
  }

  @Test
  void takesAnAbsolutePath() throws Exception {
    assertThat(parse("control: { socket: /run/popfetch/ctl.sock }\n" + MINIMAL).controlSocket())
        .isEqualTo(Path.of("/run/popfetch/ctl.sock"));
  }

  @Test
  void refusesARelativePathWithItsLine() {
    assertError(
        "control:\n  socket: ctl.sock\n" + MINIMAL,
        "2: control.socket: must be an absolute path, got \"ctl.sock\"");
  }

  @Test
  void refusesAPathTooLongForAUnixSocket() {
    String longPath = "/run/" + "d".repeat(100) + "/control.sock";
    assertError(
        "control: { socket: " + longPath + " }\n" + MINIMAL,
        "1: control.socket: too long for a unix socket (at most 107 octets)");
  }

  @Test
  void refusesUnknownKeysAndAMissingSocket() {
    assertError(
        "control: { path: /x }\n" + MINIMAL,
        "1: control.path: unknown key; valid keys here: socket");
    assertError("control: {}\n" + MINIMAL, "1: control: missing required key 'socket'");
  }
}
