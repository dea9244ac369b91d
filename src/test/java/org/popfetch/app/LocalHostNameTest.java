package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** This machine's name as popfetch uses it: the kernel's, read without a resolver. */
class LocalHostNameTest {
  @TempDir Path dir;

  @Test
  void theKernelsNameIsReadWithoutItsLineEnd() throws Exception {
    Path name = Files.writeString(dir.resolve("hostname"), "mx1.example.org\n");
    assertThat(AccountWiring.localHost(name)).isEqualTo("mx1.example.org");
  }

  @Test
  void withoutTheKernelsNameTheJdksIsTaken() throws Exception {
    String expected;
    try {
      expected = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      expected = "localhost";
    }
    assertThat(AccountWiring.localHost(dir.resolve("missing"))).isEqualTo(expected);
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertThat(AccountWiring.localHost(empty)).isEqualTo(expected);
  }

  /**
   * The name the JDK gave before, where it can give one: Maildir names and HELO stay as they were.
   */
  @Test
  void onLinuxItIsTheNameTheJdkGives() throws Exception {
    assumeTrue(
        Files.isReadable(AccountWiring.KERNEL_HOSTNAME), "no " + AccountWiring.KERNEL_HOSTNAME);
    assertThat(AccountWiring.localHost()).isEqualTo(InetAddress.getLocalHost().getHostName());
  }
}
