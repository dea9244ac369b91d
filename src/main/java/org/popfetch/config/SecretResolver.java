package org.popfetch.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Turns a {@link Secret} into the text it stands for, at the moment it is needed.
 *
 * <p>Secrets are resolved late, once per login, not when the configuration is loaded: a token
 * printed by a command may expire, and a file may be rotated while the daemon runs. Each call reads
 * afresh; nothing is cached here.
 *
 * <p>No message this class produces contains a secret's value, nor a command's arguments (which may
 * carry one) or its standard output. A failing command's standard error is included, cleaned of
 * control characters and cut short, because that is where "gpg: decryption failed" is found.
 * Messages carry no file or account prefix; the caller adds which account and key they belong to.
 */
public final class SecretResolver {
  /** How long a secret command may run before it is killed. */
  public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

  /** Bytes of a secret file or a command's output that are read; the first line is used. */
  private static final int MAX_SECRET_BYTES = 64 * 1024;

  private static final int MAX_STDERR_BYTES = 4096;

  /** Why a secret holding CR, LF or NUL is refused; it would be sent inside one protocol line. */
  static final String BREAKS_A_LINE =
      "holds a line break or NUL, which would end the command it is sent in";

  /**
   * Runs a secret command in a session of its own, so that whatever it leaves running can be found
   * (by its process group) and killed. util-linux; without it, only the children still attached to
   * the command when it ends are killed.
   */
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private static final int MAX_STDERR_SHOWN = 300;

  private SecretResolver() {}

  /**
   * The secret's value: a literal as written; {@code env} the variable's value; {@code file} and
   * {@code command} the first line, without its line end.
   *
   * <p>A file must be a regular file owned by the user popfetch runs as, with no permission bit for
   * group or others. A command runs without a shell, with standard input at end of file, and must
   * exit 0 within {@link #COMMAND_TIMEOUT}; it is killed (with its children) otherwise.
   *
   * <p>A command's answer is taken when the command itself has exited: anything it left running in
   * its process group (a background child holding its output open) is killed then, and does not
   * keep the answer waiting.
   *
   * @throws ConfigException if the variable is unset or empty, the file is missing, unreadable, not
   *     private or empty, the command cannot start, fails, times out or prints nothing, or the
   *     value holds CR, LF or NUL
   */
  public static String resolve(Secret secret) throws ConfigException {
    return resolve(secret, COMMAND_TIMEOUT);
  }

  /** As {@link #resolve(Secret)}, with another command timeout (for tests). */
  static String resolve(Secret secret, Duration commandTimeout) throws ConfigException {
    String value;
    String from;
    if (secret instanceof Secret.Literal literal) {
      value = literal.value();
      from = "the value written in the configuration";
    } else if (secret instanceof Secret.FromEnv env) {
      value = fromEnv(env.variable());
      from = "environment variable " + env.variable();
    } else if (secret instanceof Secret.FromFile file) {
      value = fromFile(file.file());
      from = file.file().toString();
    } else if (secret instanceof Secret.FromCommand command) {
      value = fromCommand(command.argv(), commandTimeout);
      from = "command " + command.argv().get(0);
    } else {
      throw new AssertionError(secret.getClass());
    }
    if (breaksALine(value)) {
      throw new ConfigException(from + ": " + BREAKS_A_LINE);
    }
    return value;
  }

  /** Whether a secret holds CR, LF or NUL: sent in PASS or AUTH, it would inject a command. */
  static boolean breaksALine(String value) {
    return value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0;
  }

  private static String fromEnv(String variable) throws ConfigException {
    String value = System.getenv(variable);
    if (value == null) {
      throw new ConfigException("environment variable " + variable + " is not set");
    }
    if (value.isEmpty()) {
      throw new ConfigException("environment variable " + variable + " is empty");
    }
    return value;
  }

  private static String fromFile(Path file) throws ConfigException {
    PosixFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, PosixFileAttributes.class);
    } catch (UnsupportedOperationException e) {
      throw new ConfigException(file + ": cannot check who may read it on this file system");
    } catch (IOException e) {
      throw new ConfigException(file + ": " + describe(e));
    }
    if (!attrs.isRegularFile()) {
      throw new ConfigException(file + ": not a regular file");
    }
    String me = System.getProperty("user.name");
    String owner = attrs.owner().getName();
    if (!owner.equals(me) && !sharedWithServiceGroup(attrs)) {
      throw new ConfigException(
          file
              + ": owned by "
              + owner
              + ", but popfetch runs as "
              + me
              + "; chown "
              + me
              + " "
              + file);
    }
    String exposure = exposure(attrs);
    if (exposure != null) {
      throw new ConfigException(
          ConfigException.Kind.INSECURE_SECRETS,
          file
              + ": "
              + exposure
              + "; chmod 600 "
              + file
              + " (or 640 with owner root and popfetch's group)");
    }
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(MAX_SECRET_BYTES);
    } catch (IOException e) {
      throw new ConfigException(file + ": " + describe(e));
    }
    String line = firstLine(head, file + ": ");
    if (line.isEmpty()) {
      throw new ConfigException(file + ": the first line is empty");
    }
    return line;
  }

  private static String fromCommand(List<String> argv, Duration timeout) throws ConfigException {
    String what = "command " + argv.get(0);
    long deadline = System.nanoTime() + timeout.toNanos();
    Process process;
    boolean ownSession = Files.isExecutable(SETSID);
    List<String> command = new ArrayList<>();
    if (ownSession) {
      command.add(SETSID.toString());
    }
    command.addAll(argv);
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      // The message reads 'Cannot run program "x": error=2, No such file or directory'.
      String reason = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
      throw new ConfigException(what + ": cannot run it: " + reason);
    }
    try {
      // A secret command must not wait for input it will never get.
      process.getOutputStream().close();
      CompletableFuture<byte[]> out = drain(process.getInputStream(), MAX_SECRET_BYTES);
      CompletableFuture<byte[]> err = drain(process.getErrorStream(), MAX_STDERR_BYTES);
      if (!process.waitFor(remaining(deadline), TimeUnit.NANOSECONDS)) {
        throw timedOut(what, timeout);
      }
      // The command has answered. A child it left running may hold its output open: kill it,
      // so the end of the output comes now rather than at the timeout.
      killGroup(process, ownSession);
      byte[] stdout = out.get(remaining(deadline), TimeUnit.NANOSECONDS);
      byte[] stderr = err.get(remaining(deadline), TimeUnit.NANOSECONDS);
      checkExit(what, argv.get(0), ownSession, process.exitValue(), stderr);
      String line = firstLine(stdout, what + ": ");
      if (line.isEmpty()) {
        throw new ConfigException(what + ": printed nothing on its first line");
      }
      return line;
    } catch (TimeoutException e) {
      throw timedOut(what, timeout);
    } catch (ExecutionException | IOException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new ConfigException(what + ": cannot read its output: " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException(what + ": interrupted");
    } finally {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      killGroup(process, ownSession);
    }
  }

  /** Throws the command's own words if it failed: setsid's, or its status and stderr. */
  private static void checkExit(
      String what, String program, boolean ownSession, int exitValue, byte[] stderr)
      throws ConfigException {
    if (ownSession && (exitValue == 126 || exitValue == 127)) {
      // setsid could not start the program: "setsid: failed to execute X: No such file or
      // directory".
      String said = new String(stderr, StandardCharsets.UTF_8).strip();
      String prefix = "setsid: failed to execute " + program + ": ";
      if (said.startsWith(prefix)) {
        String rest = said.substring(prefix.length());
        throw new ConfigException(
            what + ": cannot run it: " + cleanStderr(rest.getBytes(StandardCharsets.UTF_8)));
      }
    }
    if (exitValue != 0) {
      String shown = cleanStderr(stderr);
      throw new ConfigException(
          what + ": exited with status " + exitValue + (shown.isEmpty() ? "" : ": " + shown));
    }
  }

  /**
   * Kills what is left of the command's session: every process whose process group is the command's
   * (setsid made the command a group leader, and Linux keeps its process ID from being reused while
   * the group has members). A program that started a session of its own (an agent that daemonizes)
   * is left alone.
   */
  private static void killGroup(Process process, boolean ownSession) {
    if (!ownSession) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      return;
    }
    long group = process.pid();
    ProcessHandle.allProcesses()
        .filter(p -> p.pid() != group && processGroup(p.pid()) == group)
        .forEach(ProcessHandle::destroyForcibly);
  }

  /**
   * The process group of a process, from /proc/PID/stat ("pid (comm) state ppid pgrp ..."); -1 if
   * unknown.
   */
  private static long processGroup(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 4);
      return Long.parseLong(fields[2]);
    } catch (IOException | RuntimeException e) {
      return -1; // gone, or not Linux
    }
  }

  /**
   * Why a file makes an unfit home for a secret (see {@link #exposure(Set)}), or null if it is fit:
   * only its owner has any permission, or it is a service's file in Debian's way, owned by root and
   * readable, not writable, by the group popfetch runs as and by no one else (the packaged {@code
   * /etc/popfetch/popfetch.yaml}, 0640 root:popfetch): then only root, who may read anything, and
   * the service's own group can read it, and only root can change that.
   */
  static String exposure(PosixFileAttributes attrs) {
    return sharedWithServiceGroup(attrs) ? null : exposure(attrs.permissions());
  }

  /** Owned by root, 0640 or 0440, in the group this process runs as. */
  static boolean sharedWithServiceGroup(PosixFileAttributes attrs) {
    Set<PosixFilePermission> perms = attrs.permissions();
    if (!attrs.owner().getName().equals("root")
        || !perms.contains(PosixFilePermission.GROUP_READ)
        || !Set.of(
                PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.GROUP_READ)
            .containsAll(perms)) {
      return false;
    }
    try {
      // /proc/self belongs to the process's effective user and group.
      return attrs
          .group()
          .equals(Files.readAttributes(Path.of("/proc/self"), PosixFileAttributes.class).group());
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /**
   * Why a file's permissions make it unfit to hold a secret, e.g. "mode 0644 lets group and others
   * read it", or null if only its owner has any permission.
   */
  static String exposure(Set<PosixFilePermission> perms) {
    List<String> who = new ArrayList<>();
    if (perms.contains(PosixFilePermission.GROUP_READ)
        || perms.contains(PosixFilePermission.GROUP_WRITE)
        || perms.contains(PosixFilePermission.GROUP_EXECUTE)) {
      who.add("group");
    }
    if (perms.contains(PosixFilePermission.OTHERS_READ)
        || perms.contains(PosixFilePermission.OTHERS_WRITE)
        || perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
      who.add("others");
    }
    if (who.isEmpty()) {
      return null;
    }
    List<String> what = new ArrayList<>();
    if (perms.contains(PosixFilePermission.GROUP_READ)
        || perms.contains(PosixFilePermission.OTHERS_READ)) {
      what.add("read");
    }
    if (perms.contains(PosixFilePermission.GROUP_WRITE)
        || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
      what.add("write");
    }
    if (what.isEmpty()) {
      what.add("execute");
    }
    return "mode "
        + octal(perms)
        + " lets "
        + String.join(" and ", who)
        + " "
        + String.join(" and ", what)
        + " it";
  }

  /** The permissions as "0644". */
  static String octal(Set<PosixFilePermission> perms) {
    int mode = 0;
    for (PosixFilePermission p : perms) {
      // The enum runs OWNER_READ .. OTHERS_EXECUTE, i.e. from bit 8 down to bit 0.
      mode |= 1 << (8 - p.ordinal());
    }
    return String.format("%04o", mode);
  }

  /** An I/O failure in a few words, without the stack of Java exception names. */
  static String describe(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    } else if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static String firstLine(byte[] bytes, String prefix) throws ConfigException {
    int end = 0;
    while (end < bytes.length && bytes[end] != '\n') {
      end++;
    }
    if (end > 0 && bytes[end - 1] == '\r') {
      end--;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, end))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException(prefix + "the first line is not valid UTF-8");
    }
  }

  /** Reads a stream to its end on a thread of its own, keeping the first {@code keep} bytes. */
  private static CompletableFuture<byte[]> drain(InputStream in, int keep) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (in) {
                byte[] kept = in.readNBytes(keep);
                // Keep reading, so the command never blocks on a full pipe.
                in.transferTo(OutputStream.nullOutputStream());
                result.complete(kept);
              } catch (IOException e) {
                result.completeExceptionally(e);
              }
            },
            "popfetch-secret-command");
    reader.setDaemon(true);
    reader.start();
    return result;
  }

  private static String cleanStderr(byte[] stderr) {
    String text = new String(stderr, StandardCharsets.UTF_8).strip();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < text.length() && b.length() < MAX_STDERR_SHOWN; i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        b.append(" | ");
      } else if (c == '\r') {
        continue;
      } else {
        b.append(Character.isISOControl(c) ? '?' : c);
      }
    }
    if (b.length() >= MAX_STDERR_SHOWN) {
      b.setLength(MAX_STDERR_SHOWN);
      b.append("...");
    }
    return b.toString();
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  private static ConfigException timedOut(String what, Duration timeout) {
    String limit =
        timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + "s" : timeout.toMillis() + "ms";
    return new ConfigException(what + ": no answer within " + limit + "; killed it");
  }
}
