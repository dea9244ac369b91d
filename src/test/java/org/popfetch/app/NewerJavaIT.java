package org.popfetch.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.ThrowingConsumer;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.Command;

/**
 * The jar is built for Java 17, and the package takes any Java from 17 on (Debian 13's default is
 * 21). Each newer Java installed on this machine runs the demo from the jar as the launcher does
 * ({@code java -jar}): it must fetch the sample mail, exit 0 and print nothing on standard error
 * but its own log lines at INFO. A multi-release entry the plain jar does not show, or a warning a
 * newer Java prints at every start, would be in every cron mail.
 */
class NewerJavaIT {
  private static final Path JVMS = Path.of("/usr/lib/jvm");

  /** A line of popfetch's log at INFO: "17:10:45.588 INFO o.p.f.AccountPoll - demo: ...". */
  private static final Pattern LOG_LINE =
      Pattern.compile("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\S+ - .*");

  private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)[^\"]*\"");

  @TempDir Path tmp;

  @TestFactory
  Stream<DynamicTest> eachNewerJavaRunsTheDemoWithNothingOnStandardError() throws IOException {
    Path jar = Path.of("target/popfetch.jar").toAbsolutePath();
    return forEachNewerJava(
        home -> {
          Path dir = tmp.resolve(home.getFileName().toString());
          Command demo =
              Command.run(
                  List.of(
                      home.resolve("bin/java").toString(),
                      "-jar",
                      jar.toString(),
                      "demo",
                      "--dir",
                      dir.toString()),
                  Map.of(
                      "PATH", "/usr/bin:/bin",
                      "LC_ALL", "C.UTF-8",
                      "HOME", tmp.toString()));
          assertThat(demo.err().lines())
              .as("standard error: popfetch's own log lines, none a warning")
              .isNotEmpty()
              .allMatch(l -> LOG_LINE.matcher(l).matches());
          assertThat(demo.status()).as(demo.err()).isZero();
          assertThat(demo.err()).contains("5 fetched");
        });
  }

  /**
   * The launcher on each newer Java, with the class-data archive it made there, then with that
   * archive damaged (as a Java update or a heap of 32 GB makes one the JVM refuses): standard
   * output holds the version and nothing of the JVM's, standard error nothing at all.
   */
  @TestFactory
  Stream<DynamicTest> theLauncherOnEachNewerJavaPrintsOnlyPopfetchsOwnOutput() throws IOException {
    Path jar = Path.of("target/popfetch.jar").toAbsolutePath();
    Path launcher = Path.of("src/deb/popfetch.sh").toAbsolutePath();
    return forEachNewerJava(
        home -> {
          Path cache = tmp.resolve("cache-" + home.getFileName());
          Files.createDirectories(cache);
          Map<String, String> env =
              Map.of(
                  "PATH", "/usr/bin:/bin",
                  "LC_ALL", "C.UTF-8",
                  "HOME", tmp.toString(),
                  "JAVA_HOME", home.toString(),
                  "POPFETCH_JAR", jar.toString(),
                  "POPFETCH_CDS_DIR", cache.toString());
          List<String> version = List.of(launcher.toString(), "--version");
          Command first = Command.run(version, env);
          assertThat(first.status()).as(first.err()).isZero();
          List<Path> archives;
          try (Stream<Path> made = Files.list(cache)) {
            archives = made.filter(p -> p.toString().endsWith(".jsa")).toList();
          }
          assertThat(archives).as("the archive the first start made").isNotEmpty();
          for (Path archive : archives) {
            Files.writeString(archive, "not an archive any more");
          }

          Command damaged = Command.run(version, env);
          assertThat(damaged.status()).as(damaged.err()).isZero();
          assertThat(damaged.err()).as("standard error").isEmpty();
          assertThat(damaged.out().lines())
              .as("standard output")
              .hasSize(2)
              .allMatch(l -> l.startsWith("popfetch ") || l.startsWith("Java "));
          assertThat(first.out()).isEqualTo(damaged.out());
        });
  }

  /** One test of {@code test} for each newer Java installed, named by its home; skipped if none. */
  private static Stream<DynamicTest> forEachNewerJava(ThrowingConsumer<Path> test)
      throws IOException {
    List<Path> homes = newerJavas();
    assumeFalse(homes.isEmpty(), "no Java newer than 17 under " + JVMS);
    return homes.stream()
        .map(
            home ->
                DynamicTest.dynamicTest(home.getFileName().toString(), () -> test.accept(home)));
  }

  /** The Java installations under /usr/lib/jvm whose release file says 18 or later. */
  private static List<Path> newerJavas() throws IOException {
    List<Path> found = new ArrayList<>();
    if (!Files.isDirectory(JVMS)) {
      return found;
    }
    try (Stream<Path> homes = Files.list(JVMS)) {
      for (Path home : homes.sorted().toList()) {
        Path release = home.resolve("release");
        if (Files.isSymbolicLink(home)
            || !Files.isReadable(release)
            || !Files.isExecutable(home.resolve("bin/java"))) {
          continue;
        }
        Matcher m = VERSION.matcher(Files.readString(release, UTF_8));
        if (m.find() && Integer.parseInt(m.group(1)) >= 18) {
          found.add(home);
        }
      }
    }
    return found;
  }
}
