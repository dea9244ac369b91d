package org.popfetch.control;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd how the service is doing (sd_notify(3)): READY=1, RELOADING=1, STOPPING=1,
 * WATCHDOG=1, STATUS=...; a datagram to the unix socket named by {@code $NOTIFY_SOCKET}. Without
 * that variable (not started by systemd, or not Type=notify) every call does nothing.
 *
 * <p>Java 17 has no unix datagram socket, so the datagram is sent through libc with JNA from this
 * process itself: systemd (with the default NotifyAccess=main) takes notifications only from the
 * main process, and a helper such as {@code systemd-notify} may have exited before systemd looks at
 * who sent the message. A failure to send is logged (once) and never stops the service.
 */
public final class SdNotify {
  private static final Logger LOG = LoggerFactory.getLogger(SdNotify.class);
  private static final int AF_UNIX = 1;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int SUN_PATH = 108;

  /** The libc calls used, bound lazily: nothing native is loaded unless systemd asks for it. */
  interface LibC extends Library {
    int socket(int domain, int type, int protocol) throws LastErrorException;

    NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int addrLen)
        throws LastErrorException;

    int close(int fd) throws LastErrorException;
  }

  private final Optional<byte[]> address;
  private boolean warned;
  private boolean off;
  private LibC libc;

  /** The STATUS= text last sent: the service reports after every poll, mostly the same line. */
  private String status;

  private SdNotify(Optional<byte[]> address) {
    this.address = address;
  }

  /** For this process: from {@code $NOTIFY_SOCKET}, if set. */
  public static SdNotify fromEnvironment() {
    return from(System.getenv());
  }

  /** From an environment; a variable that names no usable socket gives a notifier that is off. */
  static SdNotify from(Map<String, String> env) {
    String name = env.get("NOTIFY_SOCKET");
    return new SdNotify(Optional.ofNullable(name).flatMap(SdNotify::sockaddr));
  }

  /** Whether notifications go anywhere. */
  public boolean enabled() {
    return address.isPresent();
  }

  /**
   * struct sockaddr_un for a path ("/run/systemd/notify") or an abstract name ("@..." becomes a
   * leading NUL); empty for anything else.
   */
  static Optional<byte[]> sockaddr(String name) {
    byte[] path = name.getBytes(StandardCharsets.UTF_8);
    if (path.length < 2 || path.length >= SUN_PATH || !(path[0] == '/' || path[0] == '@')) {
      return Optional.empty();
    }
    if (path[0] == '@') {
      path[0] = 0;
    }
    ByteBuffer b = ByteBuffer.allocate(2 + path.length).order(ByteOrder.nativeOrder());
    b.putShort((short) AF_UNIX).put(path);
    return Optional.of(b.array());
  }

  /** Sends the state lines given ("READY=1", "STATUS=..."); does nothing when off. */
  public synchronized void send(String... assignments) {
    if (address.isEmpty() || off) {
      return;
    }
    byte[] message = String.join("\n", assignments).getBytes(StandardCharsets.UTF_8);
    byte[] addr = address.get();
    try {
      if (libc == null) {
        libc = Native.load(Platform.C_LIBRARY_NAME, LibC.class);
      }
      int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      try {
        libc.sendto(fd, message, new NativeLong(message.length), 0, addr, addr.length);
        for (String a : assignments) {
          if (a.startsWith("STATUS=")) {
            status = a.substring("STATUS=".length());
          }
        }
      } finally {
        libc.close(fd);
      }
    } catch (LastErrorException e) {
      // Tried again next time: systemd may be busy (EAGAIN) or re-executing itself.
      if (!warned) {
        warned = true;
        LOG.warn("cannot notify systemd: {}", e.getMessage());
      }
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      off = true;
      LOG.warn("cannot notify systemd ({}); readiness and watchdog will not work", e.getMessage());
    }
  }

  /** READY=1 with a status line. */
  public void ready(String status) {
    send("READY=1", "STATUS=" + status);
  }

  public void reloading() {
    send("RELOADING=1", "STATUS=reloading the configuration");
  }

  public void stopping() {
    send("STOPPING=1", "STATUS=stopping");
  }

  /**
   * STATUS= with this text, unless it is the text systemd was last sent: with a hundred accounts
   * the service reports a few times a second, and each datagram is a socket of its own.
   */
  public synchronized void status(String status) {
    if (status.equals(this.status)) {
      return;
    }
    send("STATUS=" + status);
  }

  public void watchdog() {
    send("WATCHDOG=1");
  }
}
