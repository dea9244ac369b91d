package org.popfetch.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sd_notify's datagrams as systemd receives them: a unix datagram socket (bound by python3, since
 * Java cannot), at a path and in the abstract namespace.
 */
class SdNotifyIT {
  @TempDir Path dir;

  private static final String RECEIVER =
      """
      import socket, sys
      s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
      s.bind(sys.argv[1].replace("@", "\\0", 1) if sys.argv[1].startswith("@") else sys.argv[1])
      print("bound", flush=True)
      for _ in range(int(sys.argv[2])):
          print(s.recv(4096).decode().replace("\\n", "|"), flush=True)
      """;

  private static List<String> receive(String address, int count, Runnable send) throws Exception {
    Process p = new ProcessBuilder("python3", "-c", RECEIVER, address, "" + count).start();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(in.readLine()).isEqualTo("bound");
      send.run();
      List<String> got = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        got.add(in.readLine());
      }
      return got;
    } finally {
      p.destroy();
    }
  }

  @Test
  void readyStatusReloadingWatchdogAndStoppingArriveAsSystemdReadsThem() throws Exception {
    String socket = dir.resolve("notify").toString();
    SdNotify notify = SdNotify.from(Map.of("NOTIFY_SOCKET", socket));
    assertThat(notify.enabled()).isTrue();
    List<String> got =
        receive(
            socket,
            4,
            () -> {
              notify.ready("1 account(s), last poll none yet, queue 0");
              notify.reloading();
              notify.watchdog();
              notify.stopping();
            });
    assertThat(got)
        .containsExactly(
            "READY=1|STATUS=1 account(s), last poll none yet, queue 0",
            "RELOADING=1|STATUS=reloading the configuration",
            "WATCHDOG=1",
            "STOPPING=1|STATUS=stopping");
  }

  @Test
  void aStatusIsSentOnlyWhenItsTextChanges() throws Exception {
    String socket = dir.resolve("notify").toString();
    SdNotify notify = SdNotify.from(Map.of("NOTIFY_SOCKET", socket));
    List<String> got =
        receive(
            socket,
            4,
            () -> {
              notify.ready("1 account(s), last poll none yet, queue 0");
              notify.status("1 account(s), last poll none yet, queue 0");
              notify.status("1 account(s), last poll 10:01, queue 0");
              notify.status("1 account(s), last poll 10:01, queue 0");
              notify.reloading();
              notify.status("1 account(s), last poll 10:01, queue 0");
            });
    assertThat(got)
        .containsExactly(
            "READY=1|STATUS=1 account(s), last poll none yet, queue 0",
            "STATUS=1 account(s), last poll 10:01, queue 0",
            "RELOADING=1|STATUS=reloading the configuration",
            "STATUS=1 account(s), last poll 10:01, queue 0");
  }

  @Test
  void anAbstractSocketIsReachedToo() throws Exception {
    String name = "@popfetch-test-" + ProcessHandle.current().pid();
    SdNotify notify = SdNotify.from(Map.of("NOTIFY_SOCKET", name));
    assertThat(receive(name, 1, notify::watchdog)).containsExactly("WATCHDOG=1");
  }
}
