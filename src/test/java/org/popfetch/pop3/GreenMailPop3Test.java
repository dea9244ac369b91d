package org.popfetch.pop3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.sasl.Credentials;

/** The happy path against GreenMail's in-process POP3 server. */
class GreenMailPop3Test {
  private GreenMail greenMail;
  private GreenMailUser user;

  @BeforeEach
  void start() {
    greenMail =
        new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3).dynamicPort());
    greenMail.start();
    user = greenMail.setUser("bob@example.org", "bob", "pw-bob");
  }

  @AfterEach
  void stop() {
    greenMail.stop();
  }

  @Test
  void fetchesAndDeletesWithEveryLoginKindGreenMailOffers() throws Exception {
    for (int i = 1; i <= 3; i++) {
      user.deliver(
          GreenMailUtil.newMimeMessage(
              "From: a@example.org\r\nTo: bob@example.org\r\nSubject: n"
                  + i
                  + "\r\n\r\nbody "
                  + i
                  + "\r\n.dot\r\n"));
    }
    for (AuthMethod method : List.of(AuthMethod.USER, AuthMethod.PLAIN)) {
      Pop3Client client =
          Pop3Client.connect(
              Pop3TestSupport.plain(greenMail.getPop3().getPort()), ProtocolTrace.NONE);
      client.login(new Credentials.Password("bob", "pw-bob"), method);
      assertThat(client.stat().messages()).isEqualTo(3);
      assertThat(client.uidl()).hasSize(3);
      client.quit();
    }
    Pop3Client client =
        Pop3Client.connect(
            Pop3TestSupport.plain(greenMail.getPop3().getPort()), ProtocolTrace.NONE);
    client.login(new Credentials.Password("bob", "pw-bob"), AuthMethod.AUTO);
    List<String> bodies = new ArrayList<>();
    client.retr(List.of(1, 2, 3), (n, body) -> bodies.add(new String(body.readAllBytes(), UTF_8)));
    assertThat(bodies).hasSize(3);
    assertThat(bodies.get(1)).contains("Subject: n2").contains("\r\nbody 2\r\n.dot\r\n");
    client.dele(List.of(1, 2, 3));
    client.quit();
    Pop3Client after =
        Pop3Client.connect(
            Pop3TestSupport.plain(greenMail.getPop3().getPort()), ProtocolTrace.NONE);
    after.login(new Credentials.Password("bob", "pw-bob"), AuthMethod.AUTO);
    assertThat(after.stat().messages()).isZero();
    after.quit();
  }
}
