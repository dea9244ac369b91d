package org.popfetch.app;

import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.DeliverConfig;
import org.popfetch.fetch.AccountPoll;
import org.popfetch.queue.MailQueue;
import org.slf4j.LoggerFactory;

/**
 * The service forwards what a poll fetched right after the poll, as fetchmail does, not at the
 * queue's next scheduled run a minute later.
 */
class ServiceForwardsSoonTest {
  @TempDir Path dir;
  GreenMail greenMail;
  GreenMailUser carol;
  ListAppender<ILoggingEvent> events;
  Logger root;
  Logger poll = (Logger) LoggerFactory.getLogger(AccountPoll.class);
  Level pollLevel;

  @BeforeEach
  void start() {
    greenMail =
        new GreenMail(
            new ServerSetup[] {
              new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3).dynamicPort(),
              new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort()
            });
    greenMail.start();
    carol = greenMail.setUser("carol@example.org", "carol", "s3cret-pw");
    root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    events = new ListAppender<>();
    events.start();
    root.addAppender(events);
    pollLevel = poll.getLevel();
    poll.setLevel(Level.DEBUG); // the service's empty polls are logged at DEBUG
  }

  @AfterEach
  void stop() {
    root.detachAppender(events);
    poll.setLevel(pollLevel);
    greenMail.stop();
  }

  private MailFolder inbox() throws Exception {
    return greenMail.getManagers().getImapHostManager().getInbox(carol);
  }

  /** The Message-IDs of every message GreenMail holds, in every mailbox. */
  private List<String> messageIds() throws Exception {
    List<String> ids = new ArrayList<>();
    for (MimeMessage m : greenMail.getReceivedMessages()) {
      ids.add(m.getMessageID());
    }
    return ids;
  }

  private boolean logged(String start) {
    return List.copyOf(events.list).stream()
        .anyMatch(e -> e.getFormattedMessage().startsWith(start));
  }

  private Path configuration() throws Exception {
    Path file = dir.resolve("popfetch.yaml");
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return Files.writeString(
        file,
        """
        state: { url: "jdbc:sqlite:%s" }
        queue: { dir: %s }
        metrics: { listen: "127.0.0.1:%d" }
        accounts:
          - name: carol
            server: 127.0.0.1
            port: %d
            tls: none
            user: carol
            password: s3cret-pw
            cron: "* * * * * ?"
            deliver: { smtp: { host: 127.0.0.1, port: %d, tls: none, to: [dave@example.org] } }
        """
            .formatted(
                dir.resolve("state.db"),
                dir.resolve("queue"),
                freePort(),
                greenMail.getPop3().getPort(),
                greenMail.getSmtp().getPort()));
  }

  @Test
  void mailQueuedBeforeTheStartLeavesAtTheStart() throws Exception {
    Path file = configuration();
    DeliverConfig.Smtp smtp =
        (DeliverConfig.Smtp) ConfigLoader.load(file).accounts().get(0).deliver();
    MailQueue queue = new MailQueue(dir.resolve("queue"), Clock.systemUTC());
    byte[] message =
        "From: a@example.org\r\nMessage-ID: <before@example.org>\r\nSubject: hi\r\n\r\nhello\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    queue.commit(
        List.of(
            queue.stage(
                "a@example.org",
                List.of("dave@example.org"),
                smtp.route().id(),
                out -> {
                  out.write(message);
                  return message.length;
                })));

    try (PopfetchDaemon daemon =
        PopfetchDaemon.start(file, false, new PrintWriter(new StringWriter()))) {
      // The queue job's own first run comes at a random moment within its first 30 s.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> messageIds().equals(List.of("<before@example.org>")));
    }
  }

  @Test
  void mailAPollQueuedIsForwardedWellBeforeTheQueuesNextScheduledRun() throws Exception {
    Path file = configuration();
    try (PopfetchDaemon daemon =
        PopfetchDaemon.start(file, false, new PrintWriter(new StringWriter()))) {
      // The service's first poll, its queue run at the start and its first scheduled queue run
      // (within the scheduler's jitter of the start) are over: the next scheduled queue run is a
      // minute away.
      await().atMost(Duration.ofSeconds(30)).until(() -> logged("carol: 0 on server"));
      await()
          .atMost(Duration.ofSeconds(45))
          .until(() -> daemon.metrics().scrape().contains("popfetch_queue_runs_total 2.0"));

      carol.deliver(
          GreenMailUtil.newMimeMessage(
              "From: a@example.org\r\nMessage-ID: <soon@example.org>\r\nSubject: hi\r\n\r\n"
                  + "hello\r\n"));

      // Taken from carol's mailbox, and arrived at the SMTP server: the only copy left.
      await()
          .atMost(Duration.ofSeconds(PopfetchDaemon.QUEUE_INTERVAL.toSeconds() / 3))
          .until(
              () ->
                  inbox().getMessageCount() == 0
                      && messageIds().equals(List.of("<soon@example.org>")));
    }
  }

  /** The port the meters are served on: the test reads the queue's passes from them. */
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
