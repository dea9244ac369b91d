package org.popfetch.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.popfetch.control.ControlClient;
import org.popfetch.control.ControlRequest;

/**
 * One {@code popfetch run} in a JVM of its own, as one node of a cluster: its own home directory
 * (so its own state directory, queue and control socket, all under {@code ~/.local/state/popfetch}
 * by default for a configuration under {@code ~/.config}) and its own copy of the configuration.
 * Started from a built jar (an integration test's, after the package phase) or from the test class
 * path (a benchmark's, after test-compile, where a jar could be stale).
 *
 * <p>Order: construct, {@link #writeConfig}, {@link #start()}; then signals, {@link #kill()}, and
 * {@link #start()} again on the same home; last {@link #stop()}.
 */
public final class PopfetchNode {
  private static final String MAIN = "org.popfetch.app.Main";

  private final String name;
  private final Path home;
  private final Path config;
  private final Map<String, String> environment;
  private final Path jar;
  private Process process;

  /**
   * A node whose home is {@code parent/name}.
   *
   * @param environment added to HOME, PATH and LC_ALL (for example a secret in an env variable)
   * @param jar the jar to run, or null for the test class path
   */
  public PopfetchNode(Path parent, String name, Map<String, String> environment, Path jar)
      throws IOException {
    this.name = name;
    this.jar = jar;
    this.home = Files.createDirectories(parent.resolve(name));
    this.config = home.resolve(".config/popfetch/popfetch.yaml");
    this.environment = Map.copyOf(environment);
    Files.createDirectories(config.getParent());
  }

  public String name() {
    return name;
  }

  public Path home() {
    return home;
  }

  public Path config() {
    return config;
  }

  /** Writes the node's configuration, private (0600) as one with passwords in it must be. */
  public void writeConfig(String yaml) throws IOException {
    if (!Files.exists(config)) {
      Files.createFile(
          config,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Files.writeString(config, yaml);
  }

  /** Starts {@code popfetch run --no-watch}; its output is appended to {@link #log()}. */
  public void start() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    if (jar != null) {
      command.addAll(List.of("-jar", jar.toString()));
    } else {
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN));
    }
    command.addAll(List.of("run", "--no-watch", "--config", config.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    pb.environment().clear();
    pb.environment().put("HOME", home.toString());
    pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    pb.environment().put("LC_ALL", "C.UTF-8");
    pb.environment().putAll(environment);
    process = pb.start();
  }

  /** The node's control socket, where a configuration under ~/.config puts it. */
  public Path controlSocket() {
    return home.resolve(".local/state/popfetch/control.sock");
  }

  /**
   * Asks the running node to deliver its forwarding queue now, as {@code popfetch queue flush}
   * does, and waits for the run to end (the queue runs each minute on its own).
   *
   * @return the node's exit status for the request; empty if it does not listen (not running yet,
   *     or gone)
   */
  public Optional<Integer> flushQueue() throws IOException {
    StringWriter out = new StringWriter();
    try (PrintWriter w = new PrintWriter(out)) {
      return ControlClient.send(
          controlSocket(), ControlRequest.of("flush", List.of()), Duration.ofSeconds(60), w, w);
    }
  }

  public Path log() {
    return home.resolve("run.log");
  }

  /** The end of the node's log, for an assertion's message. */
  public String logTail() {
    try {
      String s = Files.readString(log(), ISO_8859_1);
      return s.length() > 6000 ? "..." + s.substring(s.length() - 6000) : s;
    } catch (IOException e) {
      return "(no log)";
    }
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** Sends a signal by name (STOP, CONT, HUP) with kill(1). */
  public void signal(String signal) throws IOException, InterruptedException {
    int status = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).start().waitFor();
    if (status != 0) {
      throw new IOException("kill -" + signal + " " + name + " exited " + status);
    }
  }

  /** SIGKILL, and waits for the process to be gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /**
   * SIGTERM, as systemd stops the service; after 30 s SIGKILL. A stopped (SIGSTOP) node is
   * continued first, or it could not act on the SIGTERM.
   */
  public void stop() throws IOException, InterruptedException {
    if (!isAlive()) {
      return;
    }
    signal("CONT");
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
  }
}
