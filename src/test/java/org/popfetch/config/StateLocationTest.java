package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Where the state goes when the configuration does not name it. */
class StateLocationTest {
  private static final Optional<String> ALICE = Optional.of("/home/alice");

  @Test
  void aUsersOwnConfigurationKeepsItsStateInTheUsersStateDirectory() {
    Path config = Path.of("/home/alice/.config/popfetch/popfetch.yaml");
    assertThat(StateLocation.defaultFor(config, ALICE, Optional.empty()).file())
        .isEqualTo(Path.of("/home/alice/.local/state/popfetch/state.db"));
    assertThat(StateLocation.defaultFor(config, ALICE, Optional.of("/srv/state/alice")).file())
        .isEqualTo(Path.of("/srv/state/alice/popfetch/state.db"));
  }

  @Test
  void aRelativeXdgStateHomeIsIgnoredAsTheSpecificationSays() {
    Path config = Path.of("/home/alice/.config/popfetch/popfetch.yaml");
    assertThat(StateLocation.defaultFor(config, ALICE, Optional.of("state")).file())
        .isEqualTo(Path.of("/home/alice/.local/state/popfetch/state.db"));
  }

  @Test
  void theSystemsConfigurationAndAnyOtherKeepTheServicesState() {
    assertThat(
            StateLocation.defaultFor(
                Path.of("/etc/popfetch/popfetch.yaml"), ALICE, Optional.empty()))
        .isEqualTo(StateLocation.DEFAULT);
    // The service's HOME is its state directory; its file is not under ~/.config.
    assertThat(
            StateLocation.defaultFor(
                Path.of("/etc/popfetch/popfetch.yaml"),
                Optional.of("/var/lib/popfetch"),
                Optional.empty()))
        .isEqualTo(StateLocation.DEFAULT);
    assertThat(
            StateLocation.defaultFor(Path.of("/home/alice/popfetch.yaml"), ALICE, Optional.empty()))
        .isEqualTo(StateLocation.DEFAULT);
    assertThat(
            StateLocation.defaultFor(
                Path.of("/home/alice/.config/../x/.config/p.yaml"), ALICE, Optional.empty()))
        .isEqualTo(StateLocation.DEFAULT);
  }

  @Test
  void withoutAUsableHomeTheDefaultIsTheServicesState() {
    Path config = Path.of("/.config/popfetch/popfetch.yaml");
    assertThat(StateLocation.defaultFor(config, Optional.empty(), Optional.empty()))
        .isEqualTo(StateLocation.DEFAULT);
    assertThat(StateLocation.defaultFor(config, Optional.of("/"), Optional.empty()))
        .isEqualTo(StateLocation.DEFAULT);
    assertThat(StateLocation.defaultFor(config, Optional.of("relative"), Optional.empty()))
        .isEqualTo(StateLocation.DEFAULT);
  }
}
