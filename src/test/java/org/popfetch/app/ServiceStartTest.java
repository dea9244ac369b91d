package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.popfetch.testing.ScriptedServer;

/**
 * What the service ({@code popfetch run}) loads, seen in a JVM of its own: every class it loads
 * stays in its memory for as long as it runs (as metadata read from the jar, or as pages of its
 * class-data archive), so it loads nothing for the start alone that it can do without.
 */
class ServiceStartTest {
  @TempDir Path dir;

  @Test
  void theServiceLoadsNeitherPicocliNorJavaBeansNorMetersItDoesNotServeAndPollsWhenAsked()
      throws Exception {
    Path log = dir.resolve("classes.log");
    Path maildir = dir.resolve("Maildir");
    try (ScriptedServer server = new ScriptedServer(OneShotStartTest.mailbox(false))) {
      // The account's schedule never comes: its one poll is the one asked for below, so that the
      // server's one session is that poll's.
      Path config = OneShotStartTest.config(dir, server.port(), "cron: \"0 0 0 1 1 ? 2099\"");
      ProcessBuilder service =
          new ProcessBuilder(
                  OneShotStartTest.javaLoggingClasses(
                      log, "run", "--no-watch", "--config", config.toString()))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("run.log").toFile());
      service.environment().put("HOME", dir.toString());
      Process p = service.start();
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> Files.readString(dir.resolve("run.log")).contains("popfetch running"));
        // Asked over the control socket, as `popfetch poll` asks a running service.
        StringWriter out = new StringWriter();
        PollCommand poll = CommandWords.poll("poll", "-q", "--config", config.toString());
        poll.out = new PrintWriter(out);
        poll.err = new PrintWriter(out);
        assertThat(Main.runPoll(poll)).as(out.toString()).isEqualTo(ExitStatus.MAIL.code);
        p.destroy();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      } finally {
        p.destroyForcibly();
      }
    }
    String said = Files.readString(dir.resolve("run.log"));
    assertThat(said).contains("popfetch stopped").doesNotContain("Exception");
    try (var files = Files.list(maildir.resolve("new"))) {
      assertThat(files.count()).as("the poll the service was asked for delivered").isEqualTo(1);
    }
    Set<String> loaded = OneShotStartTest.loadedClasses(log);
    assertThat(loaded).contains(CommandWords.class.getName(), RunCommand.class.getName());
    assertThat(loaded)
        .as("picocli's model and parser, which would stay in the service's memory")
        .doesNotContain(
            "picocli.CommandLine",
            "picocli.CommandLine$Interpreter",
            "picocli.CommandLine$Model$CommandSpec");
    assertThat(loaded)
        .as("Quartz's scheduler set up from properties, through java.beans")
        .doesNotContain(
            "org.quartz.impl.StdSchedulerFactory",
            "java.beans.Introspector",
            "java.beans.PropertyDescriptor",
            "com.sun.beans.introspect.ClassInfo");
    assertThat(loaded.stream().filter(name -> name.startsWith("io.micrometer.")))
        .as("Micrometer's classes, in a service whose configuration serves no metrics")
        .isEmpty();
    assertThat(loaded)
        .as("the Prometheus model and the JVM's management beans the meters read")
        .doesNotContain(
            "io.prometheus.metrics.model.registry.PrometheusRegistry",
            "java.lang.management.ManagementFactory",
            "com.sun.net.httpserver.HttpServer");
    // Those left are the handler interfaces that checking Main's own bytecode loads (some 170
    // picocli classes when it parsed run's words).
    assertThat(loaded.stream().filter(name -> name.startsWith("picocli.")))
        .as("picocli's classes loaded")
        .hasSizeLessThanOrEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"run, false", "run-metrics, true"})
  void theServicesTrainingLoadsTheMetersOnlyForAServiceThatServesThem(
      String training, boolean meters) throws Exception {
    Path log = dir.resolve("training.log");
    Process run =
        new ProcessBuilder(
                OneShotStartTest.javaLoggingClasses(
                    log, "demo", "--training", training, "--dir", dir.resolve("demo").toString()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("out.log").toFile())
            .start();
    assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(run.exitValue()).as(Files.readString(dir.resolve("out.log"))).isZero();

    // What it loads is that service's archive, resident in every such service.
    Set<String> loaded = OneShotStartTest.loadedClasses(log);
    assertThat(loaded)
        .contains(
            PopfetchDaemon.class.getName(),
            ServiceControl.class.getName(),
            "org.quartz.core.QuartzScheduler");
    if (meters) {
      assertThat(loaded)
          .as("the meters, their registry and their server, served and scraped")
          .contains(
              "io.micrometer.prometheusmetrics.PrometheusMeterRegistry",
              "io.micrometer.core.instrument.binder.jvm.JvmGcMetrics",
              "com.sun.net.httpserver.HttpServer",
              // Loaded by a scrape only: the request's handling and the text format.
              "sun.net.httpserver.ExchangeImpl",
              "io.prometheus.metrics.expositionformats.TextFormatUtil");
    } else {
      assertThat(loaded)
          .as("the meters, which only a service serving metrics makes")
          .noneMatch(
              name -> name.startsWith("io.micrometer.") || name.startsWith("io.prometheus."));
    }
  }
}
