package org.popfetch.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A program run to its end, for tests of what popfetch ships around the jar (the launcher, the
 * Debian package): its status and what it printed.
 */
public record Command(int status, String out, String err) {

  /**
   * Runs {@code argv} with exactly {@code env} as its environment and no input; waits at most a
   * minute.
   *
   * @throws IOException if it cannot be started or does not end in time
   */
  public static Command run(List<String> argv, Map<String, String> env) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    CompletableFuture<String> out = read(p.getInputStream());
    CompletableFuture<String> err = read(p.getErrorStream());
    try {
      if (!p.waitFor(1, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException(argv + " did not end within a minute");
      }
      return new Command(p.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException(argv + " interrupted", e);
    }
  }

  /** Runs {@code argv} with a PATH of the system's programs only. */
  public static Command run(String... argv) throws IOException {
    return run(List.of(argv), Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL", "C.UTF-8"));
  }

  /** As {@link #run(String...)}, failing unless it exits 0; returns its standard output. */
  public static String output(String... argv) throws IOException {
    Command c = run(argv);
    if (c.status != 0) {
      throw new IOException(String.join(" ", argv) + " exited " + c.status + ": " + c.err);
    }
    return c.out;
  }

  /** Writes {@code text} to {@code file} as an executable program. */
  public static Path script(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    file.toFile().setExecutable(true);
    return file;
  }

  private static CompletableFuture<String> read(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            return new String(in.readAllBytes(), UTF_8);
          } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
          }
        });
  }
}
