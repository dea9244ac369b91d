package org.popfetch.app;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * An embedded POP3 server (GreenMail) on a free loopback port, holding a handful of realistic
 * sample messages, so that a newcomer can watch popfetch work without owning an account.
 */
final class DemoServer implements AutoCloseable {
  static final String USER = "alice";
  static final String PASSWORD = "demo-password";
  static final List<String> SAMPLES =
      List.of(
          "01-welcome.eml",
          "02-list-post.eml",
          "03-invoice.eml",
          "04-reply.eml",
          "05-newsletter.eml");

  private final GreenMail greenMail;

  private DemoServer(GreenMail greenMail) {
    this.greenMail = greenMail;
  }

  static DemoServer start() throws IOException {
    GreenMail gm =
        new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3).dynamicPort());
    gm.start();
    GreenMailUser user = gm.setUser(USER + "@example.org", USER, PASSWORD);
    for (String sample : SAMPLES) {
      try (InputStream in = DemoServer.class.getResourceAsStream("/demo/" + sample)) {
        if (in == null) {
          throw new IOException("sample message missing from the jar: " + sample);
        }
        user.deliver(GreenMailUtil.newMimeMessage(in));
      }
    }
    return new DemoServer(gm);
  }

  int port() {
    return greenMail.getPop3().getPort();
  }

  @Override
  public void close() {
    greenMail.stop();
  }
}
