package org.popfetch.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.config.Switches;
import org.popfetch.net.Framing;

/** fetchmail's invisible, dropdelivered and dropstatus become popfetch's header switches. */
class FetchmailRcSwitchesTest {
  @TempDir Path dir;

  private Translation translate(String rc) throws Exception {
    return new RcTranslator("rc", dir, "me", p -> Optional.empty())
        .translate(RcParser.parse("rc", rc));
  }

  private PopfetchConfig load(Translation t) throws Exception {
    return ConfigLoader.parse(dir.resolve("popfetch.yaml"), t.yaml(), false);
  }

  @Test
  void eachSwitchIsTranslatedPerAccountAndNotListedAsMissing() throws Exception {
    Translation t =
        translate(
            """
            set invisible
            poll a.example proto pop3 user u1 pass x is me here dropdelivered dropstatus
            poll b.example proto pop3 user u2 pass x is me here dropstatus no dropstatus
            """);
    assertThat(t.notes()).filteredOn(Note::untranslated).isEmpty();
    PopfetchConfig config = load(t);
    assertThat(config.accounts().get(0).switches())
        .isEqualTo(new Switches(false, true, true, true, Framing.CRLF));
    assertThat(config.accounts().get(1).switches())
        .as("the last word counts")
        .isEqualTo(new Switches(false, true, false, false, Framing.CRLF));
    assertThat(t.yaml()).contains("set invisible: received: false in each account");
  }

  @Test
  void withoutThemNothingChanges() throws Exception {
    Translation t =
        translate(
            """
            set no invisible
            poll a.example proto pop3 user u1 pass x is me here no dropdelivered
            """);
    assertThat(load(t).accounts().get(0).switches()).isEqualTo(Switches.DEFAULT);
  }
}
