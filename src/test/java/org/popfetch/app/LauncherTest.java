package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.popfetch.testing.Command;

/**
 * {@code /usr/bin/popfetch} (src/deb/popfetch.sh): which Java it picks, the flags it passes, and
 * the one line when there is none. Java runtimes here are stand-ins that print how they were
 * called; the script is a copy whose system paths point into the test's directory.
 */
class LauncherTest {
  private static final String FLAGS_OF_EVERY_JAVA =
      "-XX:+UseSerialGC -Xms8m -Xmx64m -XX:NewRatio=6 -XX:MinHeapFreeRatio=10"
          + " -XX:MaxHeapFreeRatio=30 -Xss512k -XX:TieredStopAtLevel=1 -Xshare:auto -Xlog:cds=off";
  private static final String NATIVE_HEAP_TRIM =
      " -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=10000";
  private static final String OLD_LOCALE_DATA = " -Djava.locale.providers=COMPAT";

  /** What every command but run and deliver-agent gets last, before its archive. */
  private static final String SHORT_COMMAND = " -XX:CompileThresholdScaling=4";

  /** What the delivery agent gets instead. */
  private static final String LONG_RUNNING = " -XX:-ShrinkHeapInSteps -Xms4m -XX:NewSize=1m";

  /** What the service gets instead: the agent's, and compilation at a tenth of the counts. */
  private static final String SERVICE = LONG_RUNNING + " -XX:CompileThresholdScaling=0.1";

  /** The flags a recent Java 17 gets. */
  private static final String FLAGS = FLAGS_OF_EVERY_JAVA + NATIVE_HEAP_TRIM + OLD_LOCALE_DATA;

  private static final String JAR = "/usr/share/popfetch/popfetch.jar";

  /**
   * What the stand-in's training run lists: classes of commands, those of the demo (its command,
   * its training and its POP3 server), which no other command uses, and picocli's, which the
   * service does not use.
   */
  private static final List<String> TRAINED_CLASSES =
      List.of(
          "java/lang/Object id: 0",
          "org/popfetch/app/Main id: 1",
          "org/popfetch/app/DemoServer id: 2",
          "org/popfetch/app/DemoServer$Session id: 3",
          "org/popfetch/app/DemoTraining id: 4",
          "picocli/CommandLine id: 5",
          "picocli/CommandLine$Model$CommandSpec id: 6",
          "org/popfetch/fetch/AccountPoll id: 7",
          "@lambda-proxy picocli/CommandLine$Model$CommandSpec addOption ()Ljava/lang/Runnable;",
          "@lambda-proxy org/popfetch/app/DemoServer run (Lorg/popfetch/app/DemoServer;)"
              + "Ljava/lang/Runnable;",
          "@lambda-proxy org/popfetch/fetch/AccountPoll run ()Ljava/lang/Runnable;",
          "@lambda-form-invoker [LF_RESOLVE] java.lang.invoke.Invokers$Holder invokeExact_MT L8_L");

  @TempDir Path dir;
  Path launcher;
  Path bin;
  Map<String, String> env;

  @BeforeEach
  void copyLauncher() throws IOException {
    String script =
        Files.readString(Path.of("src/deb/popfetch.sh"))
            .replace("/usr/lib/jvm/default-java", dir.resolve("default-java").toString())
            .replace("/etc/default/popfetch", dir.resolve("etc-default").toString())
            .replace("/var/cache/popfetch", dir.resolve("var-cache").toString())
            // The system's configuration, which decides the service's archive: not this host's.
            .replace("/etc/popfetch/popfetch.yaml", dir.resolve("etc-popfetch.yaml").toString());
    launcher = Command.script(dir.resolve("popfetch"), script);
    // A PATH with the tools the script uses and no java.
    bin = Files.createDirectories(dir.resolve("bin"));
    for (String tool :
        List.of(
            "sed",
            "dirname",
            "readlink",
            "head",
            "stat",
            "cksum",
            "cut",
            "mkdir",
            "mktemp",
            "mv",
            "rm",
            "chmod",
            "cp")) {
      Command.script(
          bin.resolve(tool),
          "#!/bin/sh\necho "
              + tool
              + " >> "
              + dir.resolve("tools-run")
              + "\nexec /usr/bin/"
              + tool
              + " \"$@\"\n");
    }
    env = new HashMap<>(Map.of("PATH", bin.toString(), "LC_ALL", "C.UTF-8"));
  }

  /** A stand-in JDK in {@code home}: a release file if {@code release} is given, else none. */
  private Path jdk(String home, String release, String specification) throws IOException {
    Path java =
        Command.script(
            dir.resolve(home).resolve("bin/java"),
            "#!/bin/sh\n"
                + "if [ \"$1\" = -XshowSettings:properties ]; then\n"
                + "  echo '    java.specification.version = "
                + specification
                + "' >&2; exit 0\n"
                + "fi\n"
                + "echo "
                + home
                + " \"$@\"\n");
    if (release != null) {
      Files.writeString(dir.resolve(home).resolve("release"), "JAVA_VERSION=\"" + release + "\"\n");
    }
    return java;
  }

  private Command launch(String... args) throws IOException {
    List<String> argv = new ArrayList<>(List.of("/bin/sh", launcher.toString()));
    argv.addAll(List.of(args));
    return Command.run(argv, env);
  }

  @Test
  void javaHomeOf17OrLaterRunsTheJarWithTheFlagsAndArguments() throws IOException {
    jdk("jdk17", "17.0.15", "17");
    env.put("JAVA_HOME", dir.resolve("jdk17").toString());

    Command c = launch("poll", "my account");

    assertThat(c.status()).isZero();
    assertThat(c.out().strip())
        .isEqualTo("jdk17 " + FLAGS + SHORT_COMMAND + " -jar " + JAR + " poll my account");
  }

  @ParameterizedTest
  @CsvSource({
    "17.0.8, false, true",
    "17.0.9, true, true",
    "17.0.15, true, true",
    "18.0.2, false, true",
    "20, false, true",
    "21, false, false",
    "21.0.1, true, false",
    "22, true, false",
    "25.0.1, true, false"
  })
  void theNativeHeapTrimAndTheOldLocaleDataGoOnlyToAJavaThatKnowsThem(
      String release, boolean trims, boolean oldLocaleData) throws IOException {
    // A Java without -XX:TrimNativeHeapInterval refuses to start with it; Java 21 warns of the
    // old locale data at every start, and 23 has it no more.
    jdk("jdk", release, release);
    env.put("JAVA_HOME", dir.resolve("jdk").toString());

    Command c = launch("poll");

    assertThat(c.out().strip())
        .isEqualTo(
            "jdk "
                + FLAGS_OF_EVERY_JAVA
                + (trims ? NATIVE_HEAP_TRIM : "")
                + (oldLocaleData ? OLD_LOCALE_DATA : "")
                + SHORT_COMMAND
                + " -jar "
                + JAR
                + " poll");
  }

  @ParameterizedTest
  @CsvSource({
    "poll, true",
    "check, true",
    "status, true",
    "demo, true",
    "run, false",
    "deliver-agent, false"
  })
  void shortCommandsCompileLaterAndTheLongRunningOnesGiveBackTheirHeapAtOnce(
      String command, boolean later) throws IOException {
    // A short command's compiler work is mostly start-up code run a few hundred times; the
    // service runs each account's poll once a minute and compiles sooner, and the delivery
    // agent's unit keeps it up while connections come: those two give back at the first full
    // collection the heap a burst grew instead of keeping it for hours.
    jdk("jdk17", "17.0.15", "17");
    env.put("JAVA_HOME", dir.resolve("jdk17").toString());

    Command c = launch(command);

    assertThat(c.out().strip())
        .isEqualTo(
            "jdk17 "
                + FLAGS
                + (later ? SHORT_COMMAND : command.equals("run") ? SERVICE : LONG_RUNNING)
                + " -jar "
                + JAR
                + " "
                + command);
  }

  @Test
  void aJavaWhoseUpdateIsUnknownIsNotGivenTheNativeHeapTrim() throws IOException {
    Files.createSymbolicLink(bin.resolve("java"), jdk("jdk17", null, "17"));

    Command c = launch("poll");

    assertThat(c.out().strip())
        .isEqualTo(
            "jdk17 "
                + FLAGS_OF_EVERY_JAVA
                + OLD_LOCALE_DATA
                + SHORT_COMMAND
                + " -jar "
                + JAR
                + " poll");
  }

  @Test
  void aJavaHomeOlderThan17GivesWayToDefaultJava() throws IOException {
    jdk("jdk11", "11.0.2", "11");
    jdk("default-java", "21.0.1", "21");
    env.put("JAVA_HOME", dir.resolve("jdk11").toString());

    Command c = launch("--version");

    assertThat(c.out()).startsWith("default-java ");
  }

  @Test
  void javaOnPathWithoutReleaseFileIsAskedItsVersion() throws IOException {
    jdk("jdk8", "1.8.0_392", "1.8");
    Path java = jdk("jdk25", null, "25");
    Files.createSymbolicLink(bin.resolve("java"), java);
    env.put("JAVA_HOME", dir.resolve("jdk8").toString());

    Command c = launch("run");

    assertThat(c.status()).isZero();
    assertThat(c.out())
        .startsWith(
            "jdk25 " + FLAGS_OF_EVERY_JAVA + NATIVE_HEAP_TRIM + SERVICE + " -jar " + JAR + " run");
  }

  @Test
  void noJava17SaysSoInOneLineAndExitsWithTheInternalErrorStatus() throws IOException {
    jdk("jdk11", "11.0.2", "11");
    Files.createSymbolicLink(bin.resolve("java"), jdk("jdk8", null, "1.8"));
    env.put("JAVA_HOME", dir.resolve("jdk11").toString());

    Command c = launch("poll");

    assertThat(c.status()).isEqualTo(ExitStatus.INTERNAL.code);
    assertThat(c.out()).isEmpty();
    assertThat(c.err().lines().toList())
        .singleElement()
        .asString()
        .startsWith("popfetch: no Java 17 or later found")
        .contains("install default-jre-headless or set JAVA_HOME");
  }

  @Test
  void optionsFromEtcDefaultGoBeforeTheJar() throws IOException {
    jdk("default-java", "17.0.15", "17");
    Files.writeString(dir.resolve("etc-default"), "POPFETCH_JAVA_OPTS=\"-Xmx64m -Dpf.x=1\"\n");

    Command c = launch("status");

    assertThat(c.out().strip())
        .isEqualTo(
            "default-java " + FLAGS + SHORT_COMMAND + " -Xmx64m -Dpf.x=1 -jar " + JAR + " status");
  }

  /**
   * A stand-in JDK 17 whose training run (-XX:DumpLoadedClassList=FILE) writes {@link
   * #TRAINED_CLASSES} as its class list, or fails if {@code trainingFails}, and counts itself in
   * {@code trainings}; its dump (-Xshare:dump) copies the class list it is given to the
   * -XX:SharedArchiveFile it is given, and fails without one.
   */
  private void trainableJdk(boolean trainingFails) throws IOException {
    Command.script(
        dir.resolve("jdk17/bin/java"),
        "#!/bin/sh\n"
            + "case \" $* \" in\n"
            + "  *' -XX:DumpLoadedClassList='*)\n"
            + "    echo \"$*\" | sed 's/.* demo --training \\([a-z-]*\\) .*/\\1/' >> "
            + dir.resolve("trainings")
            + "\n"
            // A training of the kind named in this file fails, whatever trainingFails says.
            + "    [ -f "
            + dir.resolve("failing-training")
            + " ] && read -r failing < "
            + dir.resolve("failing-training")
            + " && case \" $* \" in *\" --training $failing \"*) echo 'training broke' >&2; exit"
            + " 1;; esac\n"
            + (trainingFails
                ? "    echo 'training broke' >&2; exit 1;;\n"
                : "    for a in \"$@\"; do\n"
                    + "      case \"$a\" in -XX:DumpLoadedClassList=*) printf '%s\\n' '"
                    + String.join("' '", TRAINED_CLASSES)
                    + "' > \"${a#*=}\";; esac\n"
                    + "    done; exit 0;;\n")
            + "  *' -Xshare:dump '*)\n"
            + "    for a in \"$@\"; do\n"
            + "      case \"$a\" in -XX:SharedClassListFile=*) list=${a#*=};; esac\n"
            + "      case \"$a\" in -XX:SharedArchiveFile=*) archive=${a#*=};; esac\n"
            + "    done\n"
            + "    [ -s \"$list\" ] && cp \"$list\" \"$archive\"; exit;;\n"
            + "esac\n"
            + "echo jdk17 \"$@\"\n");
    Files.writeString(dir.resolve("jdk17/release"), "JAVA_VERSION=\"17.0.15\"\n");
    env.put("JAVA_HOME", dir.resolve("jdk17").toString());
  }

  private long trainings() throws IOException {
    return trained().size();
  }

  /** The command word of each training run so far ({@code demo --training WORD}), in order. */
  private List<String> trained() throws IOException {
    Path trainings = dir.resolve("trainings");
    return Files.exists(trainings) ? Files.readAllLines(trainings) : List.of();
  }

  /** A stand-in jar as POPFETCH_JAR, and a HOME; returns where the user's archives go. */
  private Path standInJarAndUserCache() throws IOException {
    env.put("POPFETCH_JAR", Files.writeString(dir.resolve("popfetch.jar"), "jar").toString());
    env.put("HOME", Files.createDirectories(dir.resolve("home")).toString());
    return dir.resolve("home/.cache/popfetch");
  }

  private List<Path> cached(Path cache) throws IOException {
    try (var files = Files.list(cache)) {
      return files.sorted().toList();
    }
  }

  @Test
  void theFirstRunMakesTheArchiveWithATrainingRunAndEveryRunUsesIt() throws IOException {
    trainableJdk(false);
    Path cache = standInJarAndUserCache();
    Path jar = dir.resolve("popfetch.jar");

    Command first = launch("poll");
    Command second = launch("poll");

    assertThat(cached(cache)).singleElement().asString().matches(".*/popfetch-poll-[0-9]+\\.jsa");
    Path archive = cached(cache).get(0);
    assertThat(first.out().strip())
        .isEqualTo(
            "jdk17 "
                + FLAGS
                + SHORT_COMMAND
                + " -XX:SharedArchiveFile="
                + archive
                + " -jar "
                + jar
                + " poll");
    assertThat(second.out()).isEqualTo(first.out());
    assertThat(trained()).containsExactly("poll");
  }

  @Test
  void theServiceHasAnArchiveOfItsOwnTrainedByTheServiceAndKeptBesideThePollOne()
      throws IOException {
    trainableJdk(false);
    Path cache = standInJarAndUserCache();
    Path jar = dir.resolve("popfetch.jar");

    Command poll = launch("poll");
    Command run = launch("run", "--config", "x.yaml");
    Command check = launch("check");
    Command runAgain = launch("run");

    // A poll's archive would lack the service's classes (scheduler, control socket),
    // and the service's would make every poll carry them.
    assertThat(trained()).containsExactly("poll", "run");
    assertThat(cached(cache)).hasSize(2);
    Path pollArchive = cached(cache).get(0);
    Path runArchive = cached(cache).get(1);
    assertThat(pollArchive.getFileName().toString()).matches("popfetch-poll-[0-9]+\\.jsa");
    assertThat(runArchive.getFileName().toString())
        .isEqualTo(pollArchive.getFileName().toString().replace("-poll-", "-run-"));
    assertThat(poll.out()).contains("-XX:SharedArchiveFile=" + pollArchive + " -jar");
    assertThat(check.out()).contains("-XX:SharedArchiveFile=" + pollArchive + " -jar");
    assertThat(run.out().strip())
        .isEqualTo(
            "jdk17 "
                + FLAGS
                + SERVICE
                + " -XX:SharedArchiveFile="
                + runArchive
                + " -jar "
                + jar
                + " run --config x.yaml");
    assertThat(runAgain.out()).contains("-XX:SharedArchiveFile=" + runArchive + " -jar");
  }

  @Test
  void aServiceWhoseConfigurationServesMetricsHasAnArchiveTrainedWithThem() throws IOException {
    trainableJdk(false);
    Path cache = standInJarAndUserCache();
    Path jar = dir.resolve("popfetch.jar");
    Path served =
        Files.writeString(
            dir.resolve("served.yaml"), "state: {}\nmetrics: { listen: \"127.0.0.1:9105\" }\n");
    Path commented =
        Files.writeString(
            dir.resolve("commented.yaml"), "state: {}\n# metrics:\n#   listen: 127.0.0.1:9105\n");

    Command withMetrics = launch("run", "--no-watch", "--config", served.toString());
    Command withoutMetrics = launch("run", "-c", commented.toString());
    Command equalsForm = launch("run", "--config=" + served);
    Command shortForm = launch("run", "--trace", "-c", served.toString());

    // The meters' classes would otherwise be resident in every service, or read from the jar by
    // one that serves them.
    assertThat(trained()).containsExactly("run-metrics", "run");
    Path runArchive = cached(cache).get(0);
    Path metricsArchive = cached(cache).get(1);
    assertThat(runArchive.getFileName().toString()).matches("popfetch-run-[0-9]+\\.jsa");
    assertThat(metricsArchive.getFileName().toString())
        .isEqualTo(runArchive.getFileName().toString().replace("-run-", "-run-metrics-"));
    assertThat(withMetrics.out())
        .contains("-XX:SharedArchiveFile=" + metricsArchive + " -jar")
        .endsWith(" run --no-watch --config " + served + "\n");
    assertThat(withoutMetrics.out()).contains("-XX:SharedArchiveFile=" + runArchive + " -jar");
    assertThat(equalsForm.out()).contains("-XX:SharedArchiveFile=" + metricsArchive + " -jar");
    assertThat(shortForm.out()).contains("-XX:SharedArchiveFile=" + metricsArchive + " -jar");
  }

  @Test
  void aServiceServingMetricsWhoseArchiveCannotBeMadeGetsTheOtherServiceArchive()
      throws IOException {
    trainableJdk(false);
    Files.writeString(dir.resolve("failing-training"), "run-metrics\n");
    Path cache = standInJarAndUserCache();
    Path served = Files.writeString(dir.resolve("served.yaml"), "metrics: { listen: x }\n");

    Command first = launch("run", "-c", served.toString());
    Command second = launch("run", "-c", served.toString());

    // Tried once: its failure is noted, and the service runs with the archive it can have.
    assertThat(trained()).containsExactly("run-metrics", "run");
    assertThat(cached(cache).stream().map(p -> p.getFileName().toString()))
        .anyMatch(name -> name.matches("popfetch-run-metrics-[0-9]+\\.jsa\\.failed"))
        .anyMatch(name -> name.matches("popfetch-run-[0-9]+\\.jsa"));
    assertThat(first.status()).isZero();
    assertThat(first.out())
        .containsPattern("-XX:SharedArchiveFile=\\S*/popfetch-run-[0-9]+\\.jsa -jar");
    assertThat(second.out()).isEqualTo(first.out());
  }

  @Test
  void aConfigurationThatIsNotARegularFileIsNotReadForMetrics() throws Exception {
    trainableJdk(false);
    env.put("HOME", Files.createDirectories(dir.resolve("home")).toString());
    Path fifo = dir.resolve("fifo.yaml");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();

    // A FIFO nobody writes would block the launcher's read for good; popfetch refuses it itself.
    Command c = launch("run", "--config", fifo.toString());

    assertThat(c.status()).isZero();
    assertThat(trained()).containsExactly("run");
  }

  @Test
  void theArchiveLeavesOutTheDemosOwnClasses() throws IOException {
    trainableJdk(false);
    env.put("HOME", Files.createDirectories(dir.resolve("home")).toString());

    launch("poll");

    // The stand-in's archive is the list it was given.
    assertThat(Files.readAllLines(cached(dir.resolve("home/.cache/popfetch")).get(0)))
        .containsExactly(
            "java/lang/Object id: 0",
            "org/popfetch/app/Main id: 1",
            "picocli/CommandLine id: 5",
            "picocli/CommandLine$Model$CommandSpec id: 6",
            "org/popfetch/fetch/AccountPoll id: 7",
            "@lambda-proxy picocli/CommandLine$Model$CommandSpec addOption ()Ljava/lang/Runnable;",
            "@lambda-proxy org/popfetch/fetch/AccountPoll run ()Ljava/lang/Runnable;",
            "@lambda-form-invoker [LF_RESOLVE] java.lang.invoke.Invokers$Holder invokeExact_MT"
                + " L8_L");
  }

  @Test
  void theServicesArchiveLeavesOutPicocliWhichItsWordsDoNotUse() throws IOException {
    trainableJdk(false);
    env.put("HOME", Files.createDirectories(dir.resolve("home")).toString());

    launch("run");

    assertThat(Files.readAllLines(cached(dir.resolve("home/.cache/popfetch")).get(0)))
        .containsExactly(
            "java/lang/Object id: 0",
            "org/popfetch/app/Main id: 1",
            "org/popfetch/fetch/AccountPoll id: 7",
            "@lambda-proxy org/popfetch/fetch/AccountPoll run ()Ljava/lang/Runnable;",
            "@lambda-form-invoker [LF_RESOLVE] java.lang.invoke.Invokers$Holder invokeExact_MT"
                + " L8_L");
  }

  @Test
  void aNewJarGetsANewArchiveAndTheOldOneIsRemoved() throws IOException {
    trainableJdk(false);
    Path cache = standInJarAndUserCache();
    Path jar = dir.resolve("popfetch.jar");
    launch("poll");
    Path old = cached(cache).get(0);

    Files.writeString(jar, "a newer jar");
    Command c = launch("poll");

    assertThat(cached(cache)).singleElement().isNotEqualTo(old);
    assertThat(c.out()).contains("-XX:SharedArchiveFile=" + cached(cache).get(0) + " ");
    assertThat(trainings()).isEqualTo(2);
  }

  @Test
  void aNewJarRemovesTheOldArchivesOfBothCommandsAndTheirFailedMarks() throws IOException {
    trainableJdk(false);
    Path cache = standInJarAndUserCache();
    Path jar = dir.resolve("popfetch.jar");
    launch("poll");
    launch("run");
    Path oldRun = cached(cache).get(1);
    Path failed = Files.move(oldRun, Path.of(oldRun + ".failed"));

    Files.writeString(jar, "a newer jar");
    launch("run");
    Path newRun = cached(cache).get(0);
    launch("poll");

    assertThat(cached(cache))
        .containsExactly(
            cache.resolve(newRun.getFileName().toString().replace("-run-", "-poll-")), newRun)
        .doesNotContain(failed);
    assertThat(trained()).containsExactly("poll", "run", "run", "poll");
  }

  @Test
  void aFailedTrainingRunIsNotRepeatedAndTheCommandRunsWithoutArchive() throws IOException {
    trainableJdk(true);
    env.put("HOME", Files.createDirectories(dir.resolve("home")).toString());

    Command first = launch("poll");
    Command second = launch("poll");

    assertThat(first.status()).isZero();
    assertThat(first.out().strip())
        .isEqualTo("jdk17 " + FLAGS + SHORT_COMMAND + " -jar " + JAR + " poll");
    assertThat(second.out()).isEqualTo(first.out());
    assertThat(first.err()).isEmpty();
    assertThat(trainings()).isEqualTo(1);
    assertThat(cached(dir.resolve("home/.cache/popfetch")))
        .singleElement()
        .satisfies(p -> assertThat(p.toString()).endsWith(".jsa.failed"))
        .satisfies(p -> assertThat(Files.readString(p)).contains("training broke"));
  }

  @Test
  void theArchiveMadeAtInstallationServesEveryUser() throws IOException {
    trainableJdk(false);
    Path system = Files.createDirectories(dir.resolve("var-cache"));
    // As postinst runs them: each trains its command's archive into the system's directory.
    launch("--version");
    launch("run", "--help");
    env.put("HOME", Files.createDirectories(dir.resolve("home")).toString());

    Command poll = launch("poll");
    Command run = launch("run");

    assertThat(cached(system)).hasSize(2);
    assertThat(poll.out()).contains("-XX:SharedArchiveFile=" + cached(system).get(0) + " ");
    assertThat(run.out()).contains("-XX:SharedArchiveFile=" + cached(system).get(1) + " ");
    assertThat(trained()).containsExactly("poll", "run");
  }

  @Test
  void popfetchCdsOffRunsWithoutArchive() throws IOException {
    trainableJdk(false);
    env.put("HOME", Files.createDirectories(dir.resolve("home")).toString());
    env.put("POPFETCH_CDS", "off");

    Command c = launch("poll");

    assertThat(c.out().strip())
        .isEqualTo("jdk17 " + FLAGS + SHORT_COMMAND + " -jar " + JAR + " poll");
    assertThat(trainings()).isZero();
  }

  @Test
  void aStartWithItsArchiveMadeRunsNoProgramButReadlinkStatAndCksum() throws IOException {
    trainableJdk(false);
    standInJarAndUserCache();
    Path jar = dir.resolve("popfetch.jar");
    launch("poll");
    Files.deleteIfExists(dir.resolve("tools-run"));

    Command c = launch("poll");

    // Every program the script starts is a fork and an exec before each command's JVM: on a
    // loaded machine those took longer than the JVM's own start.
    assertThat(c.out()).contains("-XX:SharedArchiveFile=");
    assertThat(Files.readAllLines(dir.resolve("tools-run")))
        .containsExactlyInAnyOrder("readlink", "stat", "cksum");
  }

  /** A jar whose main class is {@link LauncherProbe}, as the launcher starts popfetch's. */
  private Path probeJar() throws IOException {
    Path jar = dir.resolve("probe.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LauncherProbe.class.getName());
    String entry = LauncherProbe.class.getName().replace('.', '/') + ".class";
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
        InputStream in = LauncherProbe.class.getResourceAsStream("/" + entry)) {
      out.putNextEntry(new JarEntry(entry));
      in.transferTo(out);
      out.closeEntry();
    }
    return jar;
  }

  @Test
  void theRealJavaTakesTheFlagsMakesTheArchiveAndRunsWithoutItWhenItRefusesIt() throws IOException {
    // This Java, with its release file: the launcher gives it every flag it has for it.
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("POPFETCH_JAR", probeJar().toString());
    env.put("HOME", Files.createDirectories(dir.resolve("home")).toString());
    Path cache = dir.resolve("home/.cache/popfetch");

    Command first = launch("poll", "--config", "x.yaml");

    assertThat(first.status()).as(first.err()).isZero();
    assertThat(first.out().strip()).isEqualTo("ran poll --config x.yaml");
    assertThat(cached(cache)).singleElement().asString().endsWith(".jsa");

    // An archive this Java cannot map (damaged here; one made by another build, or a runtime
    // that cannot place it, alike): -Xshare:auto runs the command without it.
    Files.write(cached(cache).get(0), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    Command refused = launch("poll");

    assertThat(refused.status()).as(refused.err()).isZero();
    assertThat(refused.out().strip()).isEqualTo("ran poll");
  }

  @Test
  void javaRunsWithTwoMallocArenasUnlessTheEnvironmentSaysOtherwise() throws IOException {
    Command.script(dir.resolve("jdk17/bin/java"), "#!/bin/sh\necho \"arenas=$MALLOC_ARENA_MAX\"\n");
    Files.writeString(dir.resolve("jdk17/release"), "JAVA_VERSION=\"17.0.15\"\n");
    env.put("JAVA_HOME", dir.resolve("jdk17").toString());
    env.put("POPFETCH_CDS", "off");

    assertThat(launch("poll").out().strip()).isEqualTo("arenas=2");
    env.put("MALLOC_ARENA_MAX", "4");
    assertThat(launch("poll").out().strip()).isEqualTo("arenas=4");
  }
}
