package org.popfetch.agent;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.popfetch.net.IoReason;

/**
 * Reaches the agent of one user at {@code DIRECTORY/USER.sock}, where systemd listens for {@code
 * popfetch-deliver@USER.socket} and starts the agent on the first connection.
 */
public final class UnixSocketConnector implements AgentConnector {
  /** Where the packaged socket units listen. */
  public static final Path DEFAULT_DIRECTORY = Path.of("/run/popfetch-deliver");

  private final Path socket;
  private final String user;

  public UnixSocketConnector(Path directory, String user) {
    this.socket = directory.resolve(user + ".sock");
    this.user = user;
  }

  /** The socket this connector uses. */
  public Path socket() {
    return socket;
  }

  @Override
  public AgentLink connect() throws IOException {
    if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(
          "no delivery agent for "
              + user
              + " ("
              + socket
              + " does not exist): enable it with systemctl enable --now popfetch-deliver@"
              + user
              + ".socket");
    }
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (ConnectException e) {
      channel.close();
      throw new IOException(
          "the delivery agent for "
              + user
              + " does not answer at "
              + socket
              + " (connection refused): see systemctl status popfetch-deliver@"
              + user
              + ".socket",
          e);
    } catch (IOException e) {
      channel.close();
      throw new IOException(
          "cannot reach the delivery agent for " + user + " at " + socket + ": " + IoReason.of(e),
          e);
    }
    return new ChannelLink(channel);
  }

  /** A connected socket as a pair of buffered streams. */
  private static final class ChannelLink implements AgentLink {
    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;

    ChannelLink(SocketChannel channel) {
      this.channel = channel;
      this.in = new BufferedInputStream(Channels.newInputStream(channel), 16 * 1024);
      this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
    }

    @Override
    public InputStream in() {
      return in;
    }

    @Override
    public OutputStream out() {
      return out;
    }

    @Override
    public void close() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing was promised over a link being closed
      }
    }
  }
}
