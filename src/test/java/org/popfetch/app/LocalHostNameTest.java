package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
   * The kernel takes any bytes up to 64 as the machine's name; what is no host name (a line break
   * that would add an SMTP command after EHLO, a space, the kernel's own "(none)") is not used.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "mx1\r\nRSET\n",
        "(none)\n",
        "my host\n",
        "h\u00e9te\n",
        "a\tb\n",
        "-mx\n",
        "mx-.a\n"
      })
  void aKernelNameThatIsNoHostNameIsNotUsed(String kernel) throws Exception {
    Path name = Files.writeString(dir.resolve("hostname"), kernel);
    String used = AccountWiring.localHost(name);
    assertThat(used).isNotEqualTo(kernel.strip());
    assertThat(AccountWiring.isHostName(used)).as(used).isTrue();
  }

  @Test
  void hostNamesAreLettersDigitsAndInnerHyphensInLabelsOfAtMost63() {
    assertThat(AccountWiring.isHostName("mx1")).isTrue();
    assertThat(AccountWiring.isHostName("mail-1.example.org")).isTrue();
    assertThat(AccountWiring.isHostName("a".repeat(63) + ".b")).isTrue();
    assertThat(AccountWiring.isHostName(("a".repeat(49) + ".").repeat(5) + "abc"))
        .as("253")
        .isTrue();
    assertThat(AccountWiring.isHostName("a".repeat(64))).isFalse();
    assertThat(AccountWiring.isHostName(("a".repeat(49) + ".").repeat(5) + "abcd")).isFalse();
    assertThat(AccountWiring.isHostName("")).isFalse();
    assertThat(AccountWiring.isHostName("a..b")).isFalse();
    assertThat(AccountWiring.isHostName(".a")).isFalse();
    assertThat(AccountWiring.isHostName("a.")).isFalse();
    assertThat(AccountWiring.isHostName("a-")).isFalse();
    assertThat(AccountWiring.isHostName("a_b")).isFalse();
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
