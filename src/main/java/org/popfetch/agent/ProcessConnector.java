package org.popfetch.agent;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.popfetch.delivery.Identity;

/**
 * Starts a delivery agent for each session and speaks to it over its standard input and output: for
 * popfetch run as root (a root cron job), which switches to the user with setpriv (util-linux) as
 * it does for a pipe's {@code user:}. The agent gets the user's ids, the user's groups and group
 * "mail" (for the dotlock in /var/mail), no capabilities, no new privileges, and an environment of
 * PATH, HOME and LANG only.
 */
public final class ProcessConnector implements AgentConnector {
  private final List<String> command;
  private final String home;

  ProcessConnector(List<String> command, String home) {
    this.command = List.copyOf(command);
    this.home = home;
  }

  /**
   * An agent run as {@code user} by {@code agent} (the command that serves one session on standard
   * input and output: popfetch's own {@code deliver-agent --stdio}).
   *
   * @throws IOException if the user cannot be looked up
   */
  public static ProcessConnector asUser(String user, List<String> agent) throws IOException {
    Identity.Account a = Identity.lookup(user);
    if (a.uid() == 0) {
      throw new IOException("refusing to run a delivery agent as root (" + user + ")");
    }
    Set<String> groups = new LinkedHashSet<>();
    groups.add(String.valueOf(a.gid()));
    groups.addAll(List.of(output("/usr/bin/id", "-G", user).split("\\s+")));
    String mail = output("/usr/bin/getent", "group", "mail");
    if (!mail.isEmpty()) {
      groups.add(mail.split(":", -1)[2]);
    }
    groups.remove("");
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "/usr/bin/setpriv",
            "--reuid=" + a.uid(),
            "--regid=" + a.gid(),
            "--groups=" + String.join(",", groups),
            "--inh-caps=-all",
            "--no-new-privs",
            "--"));
    command.addAll(agent);
    return new ProcessConnector(command, a.home());
  }

  private static String output(String... argv) throws IOException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readNBytes(64 * 1024), StandardCharsets.UTF_8);
      return p.waitFor() == 0 ? out.strip() : "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running " + argv[0], e);
    }
  }

  @Override
  public AgentLink connect() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.put("HOME", home);
    env.put("LANG", "C.UTF-8");
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new IOException("cannot start the delivery agent: " + e.getMessage(), e);
    }
    return new ProcessLink(process);
  }

  /** A running agent's standard output and input. */
  private static final class ProcessLink implements AgentLink {
    private final Process process;
    private final InputStream in;
    private final OutputStream out;

    ProcessLink(Process process) {
      this.process = process;
      this.in = new BufferedInputStream(process.getInputStream(), 16 * 1024);
      this.out = new BufferedOutputStream(process.getOutputStream(), 64 * 1024);
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
        process.getOutputStream().close(); // end of input: the agent ends its session
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (IOException e) {
        process.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
