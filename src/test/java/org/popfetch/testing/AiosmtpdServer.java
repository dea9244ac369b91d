package org.popfetch.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A real SMTP server for integration tests: Debian's python3-aiosmtpd on a loopback port, storing
 * what it receives in a Maildir.
 */
public final class AiosmtpdServer implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path maildir;

  private AiosmtpdServer(Process process, int port, Path maildir) {
    this.process = process;
    this.port = port;
    this.maildir = maildir;
  }

  /** How often a start is tried on a fresh port when another program took the one picked. */
  private static final int ATTEMPTS = 3;

  /** On a port of its own (see {@link #onFreshPort}). */
  public static AiosmtpdServer start(Path dir) throws IOException, InterruptedException {
    return onFreshPort(port -> start(dir, port));
  }

  /**
   * On {@code port}, which the caller holds with a {@link RefusingPort} until this returns (the
   * server may share it while it is held), so that no other program can take it first.
   */
  public static AiosmtpdServer start(Path dir, int port) throws IOException, InterruptedException {
    return start(dir, port, "aiosmtpd.handlers.Mailbox");
  }

  /** {@link #startFaulty(Path, int)} on a port of its own. */
  public static AiosmtpdServer startFaulty(Path dir) throws IOException, InterruptedException {
    return onFreshPort(port -> startFaulty(dir, port));
  }

  /** {@link #startWithStarttls(Path, int, Path, Path)} on a port of its own. */
  public static AiosmtpdServer startWithStarttls(Path dir, Path cert, Path key)
      throws IOException, InterruptedException {
    return onFreshPort(port -> startWithStarttls(dir, port, cert, key));
  }

  /** Starts aiosmtpd on the port given. */
  @FunctionalInterface
  private interface Starter {
    AiosmtpdServer on(int port) throws IOException, InterruptedException;
  }

  /**
   * aiosmtpd must be told a port number, so one is picked and held (a {@link RefusingPort}) until
   * aiosmtpd listens on it. Should another program take it all the same, aiosmtpd fails to bind and
   * exits, and the start is tried again on a fresh port.
   */
  private static AiosmtpdServer onFreshPort(Starter starter)
      throws IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try (RefusingPort reserved = new RefusingPort()) {
        return starter.on(reserved.port());
      } catch (PortTakenException e) {
        if (attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /** aiosmtpd exited because its port was in use. */
  private static final class PortTakenException extends IOException {
    PortTakenException(String message) {
      super(message);
    }
  }

  /**
   * With the fault-injecting handler of src/test/resources/faulty_smtpd.py: recipients named ok-*,
   * full-* (452), gone-* (550), flaky-* (421 once, then 250).
   */
  public static AiosmtpdServer startFaulty(Path dir, int port)
      throws IOException, InterruptedException {
    Path handler = dir.resolve("faulty_smtpd.py");
    try (var in = AiosmtpdServer.class.getResourceAsStream("/faulty_smtpd.py")) {
      Files.copy(in, handler, StandardCopyOption.REPLACE_EXISTING);
    }
    return start(dir, port, "faulty_smtpd.Faulty");
  }

  /** With STARTTLS offered, using this certificate and key (PEM files). */
  public static AiosmtpdServer startWithStarttls(Path dir, int port, Path cert, Path key)
      throws IOException, InterruptedException {
    return start(
        dir,
        port,
        "aiosmtpd.handlers.Mailbox",
        "--tlscert",
        cert.toString(),
        "--tlskey",
        key.toString(),
        "--no-requiretls");
  }

  private static AiosmtpdServer start(Path dir, int port, String handlerClass, String... options)
      throws IOException, InterruptedException {
    Path maildir = dir.resolve("received");
    List<String> command =
        new ArrayList<>(
            List.of("/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + port));
    command.addAll(List.of(options));
    command.addAll(List.of("-c", handlerClass, maildir.toString()));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("PYTHONPATH", dir.toString());
    Process p =
        pb.redirectErrorStream(true)
            .redirectOutput(dir.resolve("aiosmtpd-" + port + ".log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
        if (p.isAlive()) {
          return new AiosmtpdServer(p, port, maildir);
        }
      } catch (IOException notYet) {
        // aiosmtpd has no readiness signal; its port answering is the only sign
      }
      if (System.nanoTime() > deadline || !p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        String log = Files.readString(dir.resolve("aiosmtpd-" + port + ".log"));
        if (log.toLowerCase(Locale.ROOT).contains("address already in use")) {
          throw new PortTakenException("aiosmtpd could not bind port " + port + ": " + log);
        }
        throw new IOException("aiosmtpd did not start: " + log);
      }
      p.waitFor(50, TimeUnit.MILLISECONDS);
    }
  }

  public int port() {
    return port;
  }

  /** Where received messages are stored (a Maildir). */
  public Path maildir() {
    return maildir;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
