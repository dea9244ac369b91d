package org.popfetch.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Debian package under a real systemd: {@code src/test/system/package-test.sh} boots a
 * throwaway systemd container, installs {@code target/popfetch_*_all.deb} with apt and drives the
 * service as an admin would (see that script for the checks). This test runs it and fails on any
 * failed check; it is skipped, with the script's one line of reason, where the machine cannot boot
 * the container (no root, no overlayfs, no systemd-nspawn).
 */
class SystemdPackageIT {
  /** The script's status for "this machine cannot run me" (as automake's test harness counts). */
  private static final int SKIPPED = 77;

  @Test
  @Timeout(value = 11, unit = TimeUnit.MINUTES) // the script bounds itself at 10
  void theInstalledPackageServesThreeSetupsUnderSystemd() throws Exception {
    Optional<Path> deb = newestDeb(Path.of("target"));
    Assumptions.assumeTrue(
        deb.isPresent(), "no target/popfetch_*_all.deb: the package was not built (-Ddeb.skip)");

    Process p =
        new ProcessBuilder("src/test/system/package-test.sh", deb.get().toString())
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        System.out.println(line); // the PASS/FAIL report, as it happens
        lines.add(line);
      }
    }
    int status = p.waitFor();
    Assumptions.assumeFalse(
        status == SKIPPED,
        () -> lines.stream().filter(l -> l.startsWith("SKIP")).findFirst().orElse("skipped"));
    List<String> failed = lines.stream().filter(l -> l.startsWith("FAIL")).toList();
    assertThat(failed).as("failed checks").isEmpty();
    assertThat(status).as("package-test.sh exit status").isZero();
    assertThat(lines).anyMatch(l -> l.startsWith("PASS"));
  }

  private static Optional<Path> newestDeb(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().matches("popfetch_.*_all\\.deb"))
          .max(Comparator.comparing(SystemdPackageIT::modified));
    }
  }

  private static long modified(Path f) {
    try {
      return Files.getLastModifiedTime(f).toMillis();
    } catch (IOException e) {
      return 0; // gone meanwhile: the other one is newer
    }
  }
}
