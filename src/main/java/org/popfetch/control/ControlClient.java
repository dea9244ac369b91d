package org.popfetch.control;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Optional;
import java.util.Timer;
import java.util.TimerTask;
import org.popfetch.net.LogText;
import org.popfetch.net.WireInput;

/**
 * The command line's end of the control socket: sends one request and prints the reply.
 *
 * <p>Whatever answers on the socket is not trusted with the terminal: each line is escaped by
 * {@link LogText} and bounded, at most {@link ControlReply#MAX_LINES} lines are read, and a service
 * that does not finish its answer within the caller's time is left.
 */
public final class ControlClient {
  private ControlClient() {}

  /** The service answered, but not with a whole reply. */
  public static final class BrokenReplyException extends IOException {
    BrokenReplyException(String message) {
      super(message);
    }
  }

  /**
   * Sends {@code request} to the service listening on {@code socket}, prints its lines to {@code
   * out} and {@code err}, and returns the exit status it gave.
   *
   * @return empty if no service listens there (no socket file, or one nothing answers on: the
   *     service is not running), so the caller can do the work itself
   * @throws AccessDeniedException if this user may not reach the socket (not in its group)
   * @throws BrokenReplyException if the service broke off or sent something that is not a reply, or
   *     did not finish within {@code timeout}
   * @throws IOException if the socket cannot be reached for another reason (permission denied: the
   *     caller is not in the service's group); the message is the OS's words
   */
  public static Optional<Integer> send(
      Path socket, ControlRequest request, Duration timeout, PrintWriter out, PrintWriter err)
      throws IOException {
    if (!reachable(socket)) {
      return Optional.empty();
    }
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try (ch) {
      try {
        ch.connect(UnixDomainSocketAddress.of(socket));
      } catch (ConnectException e) {
        return Optional.empty(); // a socket file left by a service that is gone
      }
      Timer timer = new Timer("popfetch-control-client", true);
      timer.schedule(
          new TimerTask() {
            @Override
            public void run() {
              try {
                ch.close();
              } catch (IOException ignored) {
                // closing is all that was wanted
              }
            }
          },
          timeout.toMillis());
      try {
        ByteBuffer line = ByteBuffer.wrap(request.line().getBytes(StandardCharsets.US_ASCII));
        try {
          while (line.hasRemaining()) {
            ch.write(line);
          }
        } catch (IOException e) {
          // A service that answers before reading (busy) may have hung up: its answer is there.
        }
        return Optional.of(print(new WireInput(Channels.newInputStream(ch)), out, err));
      } catch (IOException e) {
        if (!ch.isOpen()) {
          throw new BrokenReplyException(
              "the service did not answer within " + timeout.toSeconds() + " s");
        }
        throw new BrokenReplyException("the service broke off its answer: " + e.getMessage());
      } finally {
        timer.cancel();
        out.flush();
        err.flush();
      }
    }
  }

  /**
   * Whether a socket is there to try: false if nothing is (no such file, a directory on the way
   * that is a file, something other than a socket).
   *
   * @throws AccessDeniedException if this user may not look or connect: a service may well run
   */
  private static boolean reachable(Path socket) throws IOException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (AccessDeniedException e) {
      throw e;
    } catch (IOException e) {
      return false;
    }
    if (!a.isOther()) {
      return false;
    }
    if (!Files.isWritable(socket)) { // connect(2) needs write permission on the socket
      throw new AccessDeniedException(socket.toString());
    }
    return true;
  }

  private static int print(WireInput in, PrintWriter out, PrintWriter err) throws IOException {
    for (int n = 0; n < ControlReply.MAX_LINES + 2; n++) {
      String raw = in.readLine(ControlReply.MAX_TEXT * 4 + 8);
      String line = new String(raw.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
      if (line.startsWith("out ")) {
        out.println(LogText.sanitize(line.substring(4), ControlReply.MAX_TEXT));
      } else if (line.startsWith("err ")) {
        err.println(LogText.sanitize(line.substring(4), ControlReply.MAX_TEXT));
      } else if (line.matches("exit [0-9]{1,3}")) {
        return Integer.parseInt(line.substring(5));
      } else {
        throw new BrokenReplyException(
            "the service sent a line that is not part of a reply: " + LogText.sanitize(line, 80));
      }
    }
    throw new BrokenReplyException("the service sent more lines than a reply has");
  }
}
