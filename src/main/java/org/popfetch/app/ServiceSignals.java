package org.popfetch.app;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * How the running service is steered by signals: SIGHUP reloads its configuration; SIGTERM and
 * SIGINT (the JVM's shutdown) stop it, after which {@link #awaitStop} returns. The archive of the
 * service's classes is trained through this class too, so that what {@code run} loads here comes
 * from the archive rather than the jar.
 */
final class ServiceSignals {
  private static final Signal HANGUP = new Signal("HUP");

  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread hook;
  private final SignalHandler before;

  private ServiceSignals(Runnable reload, Runnable stop) {
    this.hook =
        new Thread(
            () -> {
              stop.run();
              stopped.countDown();
            },
            "popfetch-stop");
    ClassLoader application = ServiceSignals.class.getClassLoader();
    this.before =
        Signal.handle(
            HANGUP,
            signal -> {
              // The JVM runs a signal's handler on a thread of its own whose context class loader
              // is null, and a reload reaches libraries that look classes up through it: Quartz's
              // JDBC job store makes its connection proxies there, and with no loader a cluster
              // node's reload failed ("java.sql.Connection ... is not visible from class loader").
              Thread.currentThread().setContextClassLoader(application);
              reload.run();
            });
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** SIGHUP reloads {@code daemon}; the JVM's shutdown stops it and ends the wait. */
  static ServiceSignals install(PopfetchDaemon daemon) {
    // Made here for run and the training alike: the same call sites, so the same archived classes.
    return install(daemon::reload, daemon::stop);
  }

  /** SIGHUP runs {@code reload}; the JVM's shutdown runs {@code stop} and ends the wait. */
  static ServiceSignals install(Runnable reload, Runnable stop) {
    return new ServiceSignals(reload, stop);
  }

  /** Waits until the shutdown has stopped the service. */
  void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /**
   * Gives SIGHUP back to the handler it had and drops the shutdown hook, for a service stopped
   * otherwise (the training's).
   *
   * @return false if the hook was already gone (the JVM is shutting down, or done before)
   */
  boolean uninstall() {
    Signal.handle(HANGUP, before);
    try {
      return Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      return false;
    }
  }
}
