package org.popfetch.app;

/**
 * The main class of the jar {@code LauncherTest} starts with a real Java: it says what it was asked
 * to do and does nothing else, so that a training run ({@code demo}) and any command succeed at
 * once.
 */
public final class LauncherProbe {
  private LauncherProbe() {}

  public static void main(String[] args) {
    System.out.println("ran " + String.join(" ", args));
  }
}
