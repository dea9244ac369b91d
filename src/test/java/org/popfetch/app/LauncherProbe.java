package org.popfetch.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The main class of the jar {@code LauncherTest} starts with a real Java: it says what it was asked
 * to do and does nothing else, so that a training run ({@code demo}) and any command succeed at
 * once. Asked for a class list ({@code --class-list FILE}, as poll's training is), it runs itself
 * again in a JVM of its own that lists its classes in FILE.1, as {@link DemoTraining} runs each
 * poll; the jar holds this class alone.
 */
public final class LauncherProbe {
  private LauncherProbe() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    System.out.println("ran " + String.join(" ", args));
    int at = Arrays.asList(args).indexOf("--class-list");
    if (at >= 0 && at + 1 < args.length) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      System.exit(
          new ProcessBuilder(
                  java,
                  "-Xshare:off",
                  "-XX:DumpLoadedClassList=" + args[at + 1] + ".1",
                  "-jar",
                  System.getProperty("java.class.path"),
                  "poll")
              .inheritIO()
              .start()
              .waitFor());
    }
  }
}
