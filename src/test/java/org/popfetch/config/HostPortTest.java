package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostPortTest {
  @Test
  void aNameAndAPort() {
    assertThat(HostPort.parse("mail.example.org:25"))
        .contains(new HostPort("mail.example.org", 25));
  }

  @Test
  void anIpv6AddressLosesItsBracketsAndGetsThemBackWhenWritten() {
    HostPort v6 = HostPort.parse("[::1]:9105").orElseThrow();
    assertThat(v6.host()).isEqualTo("::1");
    assertThat(v6.port()).isEqualTo(9105);
    assertThat(v6).hasToString("[::1]:9105");
    assertThat(v6.socketAddress().getAddress().isLoopbackAddress()).isTrue();
  }

  @Test
  void portsOutsideTheRangeAndOtherShapesAreRefused() {
    assertThat(HostPort.parse("127.0.0.1:0")).isEmpty();
    assertThat(HostPort.parse("127.0.0.1:65536")).isEmpty();
    assertThat(HostPort.parse("127.0.0.1")).isEmpty();
    assertThat(HostPort.parse(":25")).isEmpty();
    assertThat(HostPort.parse("[::1:25")).isEmpty();
    assertThat(HostPort.parse("host name:25")).isEmpty();
  }
}
