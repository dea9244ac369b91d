package org.popfetch.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.Command;

/**
 * The Debian package {@code mvn package} builds, as dpkg sees it: where each file goes with which
 * mode, what it depends on, which files are conffiles, that the maintainer scripts know every unit,
 * that the launcher runs the packaged jar, and that the man pages render.
 */
class PackageLayoutIT {
  @TempDir static Path tmp;
  static Path deb;
  static Path root;
  static Path control;

  /** Each path in the package ("usr/bin/popfetch", "etc/popfetch/") with its mode column. */
  static Map<String, String> modes;

  @BeforeAll
  static void unpack() throws IOException {
    try (Stream<Path> built = Files.list(Path.of("target"))) {
      List<Path> debs =
          built.filter(p -> p.getFileName().toString().matches("popfetch_.*_all\\.deb")).toList();
      assertThat(debs).as("one package in target/").hasSize(1);
      deb = debs.get(0).toAbsolutePath();
    }
    root = tmp.resolve("root");
    control = tmp.resolve("control");
    Command.output("dpkg-deb", "-x", deb.toString(), root.toString());
    Command.output("dpkg-deb", "-e", deb.toString(), control.toString());
    modes = new LinkedHashMap<>();
    // -rw-r--r-- root/root   1326 2026-11-30 00:00 ./lib/systemd/system/popfetch.service
    Pattern line = Pattern.compile("(\\S+) (\\S+)\\s+\\d+ \\S+ \\S+ \\./(.*)");
    for (String l : Command.output("dpkg-deb", "-c", deb.toString()).split("\n")) {
      Matcher m = line.matcher(l);
      assertThat(m.matches()).as(l).isTrue();
      modes.put(m.group(3), m.group(1) + " " + m.group(2));
    }
  }

  @Test
  void everyFileIsWhereTheLayoutSaysWithItsMode() {
    assertThat(modes)
        .containsEntry("usr/share/popfetch/popfetch.jar", "-rw-r--r-- root/root")
        .containsEntry("usr/bin/popfetch", "-rwxr-xr-x root/root")
        .containsEntry("etc/popfetch/popfetch.yaml", "-rw-r----- root/root")
        .containsEntry("etc/default/popfetch", "-rw-r--r-- root/root")
        .containsEntry("usr/share/man/man1/popfetch.1.gz", "-rw-r--r-- root/root")
        .containsEntry("usr/share/man/man5/popfetch.yaml.5.gz", "-rw-r--r-- root/root")
        .containsEntry("usr/share/bash-completion/completions/popfetch", "-rw-r--r-- root/root")
        .containsEntry("usr/share/zsh/vendor-completions/_popfetch", "-rw-r--r-- root/root")
        .containsEntry("usr/share/doc/popfetch/README.md", "-rw-r--r-- root/root")
        .containsEntry("usr/share/doc/popfetch/copyright", "-rw-r--r-- root/root")
        .containsEntry("usr/share/doc/popfetch/changelog.gz", "-rw-r--r-- root/root")
        .containsEntry("usr/share/doc/popfetch/examples/popfetch.yaml", "-rw-r--r-- root/root")
        .containsEntry("usr/share/lintian/overrides/popfetch", "-rw-r--r-- root/root");
    // The state is the service's, made by postinst with its owner; dpkg must not remove it.
    assertThat(modes.keySet()).noneMatch(p -> p.startsWith("var/"));
    assertThat(modes.keySet())
        .allMatch(p -> !p.startsWith("usr/share/man/") || p.endsWith("/") || p.endsWith(".gz"));
  }

  @Test
  void everyUnitOfTheSystemdDirectoryIsInstalledAndJsvcIsAnExample() throws IOException {
    for (String unit : repositoryUnits()) {
      if (unit.equals("popfetch-jsvc.service")) {
        assertThat(modes).containsKey("usr/share/doc/popfetch/examples/" + unit);
        assertThat(modes).doesNotContainKey("lib/systemd/system/" + unit);
      } else {
        assertThat(modes).containsEntry("lib/systemd/system/" + unit, "-rw-r--r-- root/root");
        assertThat(root.resolve("lib/systemd/system/" + unit))
            .hasSameTextualContentAs(Path.of("systemd", unit));
      }
    }
  }

  @Test
  void controlDependsOnJava17AndAdduserAndListsTheConffiles() throws IOException {
    assertThat(Command.output("dpkg-deb", "-f", deb.toString(), "Depends").strip())
        .isEqualTo("default-jre-headless (>= 2:1.17) | java17-runtime-headless, adduser");
    assertThat(Command.output("dpkg-deb", "-f", deb.toString(), "Architecture").strip())
        .isEqualTo("all");
    assertThat(Files.readAllLines(control.resolve("conffiles")))
        .containsExactlyInAnyOrder("/etc/popfetch/popfetch.yaml", "/etc/default/popfetch");
    for (String script : List.of("postinst", "prerm", "postrm")) {
      assertThat(control.resolve(script)).isExecutable();
      assertThat(Command.run("sh", "-n", control.resolve(script).toString()).status())
          .as(script + " parses")
          .isZero();
    }
  }

  /**
   * postinst, prerm and postrm name the units dh_installsystemd would: every unit of systemd/
   * without an instance name that the package installs. A new one missing from the list would keep
   * running after removal.
   */
  @Test
  void maintainerScriptsNameEveryInstalledUnitWithoutInstance() throws IOException {
    Set<String> installed = new TreeSet<>();
    for (String unit : repositoryUnits()) {
      if (!unit.contains("@") && !unit.equals("popfetch-jsvc.service")) {
        installed.add(unit);
      }
    }
    Pattern units = Pattern.compile("(?m)^UNITS=\"([^\"]*)\"$");
    for (String script : List.of("postinst", "prerm", "postrm")) {
      Matcher m = units.matcher(Files.readString(control.resolve(script)));
      assertThat(m.find()).as(script + " has a UNITS= line").isTrue();
      assertThat(new TreeSet<>(List.of(m.group(1).split(" ")))).as(script).isEqualTo(installed);
    }
  }

  @Test
  void packagedLauncherRunsThePackagedJar() throws IOException {
    String script =
        Files.readString(root.resolve("usr/bin/popfetch"))
            .replace(
                "/usr/share/popfetch/popfetch.jar",
                root.resolve("usr/share/popfetch/popfetch.jar").toString());
    Path launcher = Command.script(tmp.resolve("popfetch"), script);

    Command c =
        Command.run(
            List.of("/bin/sh", launcher.toString(), "--help"),
            Map.of("PATH", "/usr/bin:/bin", "JAVA_HOME", System.getProperty("java.home")));

    assertThat(c.status()).as(c.err()).isZero();
    assertThat(c.out()).contains("Usage: popfetch");
  }

  /**
   * SQLite's native library for the processors Debian runs on with glibc, and for no other system:
   * the package is Architecture: all, but only for Linux.
   */
  @Test
  void theJarHoldsSqlitesNativeLibraryForLinuxOnly() throws IOException {
    Set<String> natives = new TreeSet<>();
    String prefix = "org/sqlite/native/";
    try (ZipFile jar = new ZipFile(root.resolve("usr/share/popfetch/popfetch.jar").toFile())) {
      jar.stream()
          .map(ZipEntry::getName)
          .filter(n -> n.startsWith(prefix) && !n.endsWith("/"))
          .forEach(n -> natives.add(n.substring(prefix.length(), n.lastIndexOf('/'))));
    }
    assertThat(natives)
        .allMatch(folder -> folder.startsWith("Linux/"))
        .contains(
            "Linux/x86_64",
            "Linux/aarch64",
            "Linux/armv7",
            "Linux/arm",
            "Linux/x86",
            "Linux/ppc64",
            "Linux/riscv64");
  }

  /**
   * A service entry the JVM reads names a class it must find. The jar is not a multi-release one,
   * so a class only under META-INF/versions/ is found by no Java: on Java 18 and later, the
   * resolver provider dnsjava declared that way made every host name lookup fail.
   */
  @Test
  void everyServiceTheJarDeclaresIsAClassOfTheJarOutsideTheVersionedDirectories()
      throws IOException {
    Map<String, List<String>> missing = new LinkedHashMap<>();
    Set<String> services = new TreeSet<>();
    try (JarFile jar = new JarFile(root.resolve("usr/share/popfetch/popfetch.jar").toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Multi-Release"))
          .as("the jar is read the same way by every Java")
          .isNull();
      for (ZipEntry service :
          jar.stream()
              .filter(e -> e.getName().startsWith("META-INF/services/") && !e.isDirectory())
              .toList()) {
        services.add(service.getName().substring("META-INF/services/".length()));
        String text;
        try (InputStream in = jar.getInputStream(service)) {
          text = new String(in.readAllBytes(), UTF_8);
        }
        for (String line : text.split("\n")) {
          String name = line.replaceFirst("#.*", "").strip();
          if (!name.isEmpty() && jar.getEntry(name.replace('.', '/') + ".class") == null) {
            missing.computeIfAbsent(service.getName(), k -> new ArrayList<>()).add(name);
          }
        }
      }
    }
    assertThat(services)
        .as("services the jar declares")
        .contains("java.sql.Driver", "org.slf4j.spi.SLF4JServiceProvider")
        .as("host names are the system resolver's, not dnsjava's")
        .doesNotContain(
            "java.net.spi.InetAddressResolverProvider",
            "sun.net.spi.nameservice.NameServiceDescriptor");
    assertThat(missing).as("declared services whose class is not in the jar").isEmpty();
  }

  @Test
  void packagedConfigurationIsValidYamlThatAsksForAnAccount() throws IOException {
    Path config = tmp.resolve("popfetch.yaml");
    Files.copy(root.resolve("etc/popfetch/popfetch.yaml"), config);

    Command c =
        Command.run(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                root.resolve("usr/share/popfetch/popfetch.jar").toString(),
                "config",
                "check",
                "--config",
                config.toString()),
            Map.of("PATH", "/usr/bin:/bin"));

    assertThat(c.status()).isEqualTo(ExitStatus.SYNTAX.code);
    assertThat(c.err().lines().toList())
        .singleElement()
        .asString()
        .contains("accounts")
        .contains("at least one account");
  }

  @Test
  void manPagesAreGzippedAndRenderWithoutWarnings() throws IOException {
    List<String> pages =
        modes.keySet().stream()
            .filter(p -> p.startsWith("usr/share/man/") && p.endsWith(".gz"))
            .toList();
    assertThat(pages)
        .contains("usr/share/man/man1/popfetch.1.gz", "usr/share/man/man5/popfetch.yaml.5.gz");
    for (String page : pages) {
      Path troff = tmp.resolve(Path.of(page).getFileName().toString().replace(".gz", ""));
      try (InputStream in = new GZIPInputStream(Files.newInputStream(root.resolve(page)))) {
        Files.write(troff, in.readAllBytes());
      }
      Command c = Command.run("groff", "-man", "-Tutf8", "-ww", "-z", troff.toString());
      assertThat(c.status()).as(page).isZero();
      assertThat(c.err()).as(page + " renders without warnings").isEmpty();
    }
    String yamlPage =
        Command.output(
            "groff", "-man", "-Tascii", "-P-cbou", tmp.resolve("popfetch.yaml.5").toString());
    String mainPage =
        Command.output("groff", "-man", "-Tascii", "-P-cbou", tmp.resolve("popfetch.1").toString());
    assertThat(mainPage)
        .contains("COMMANDS", "ENVIRONMENT", "POPFETCH_JAVA_OPTS", "FILES", "popfetch.yaml(5)");
    assertThat(yamlPage)
        .contains("DELIVERING FOR LOCAL USERS")
        .contains("popfetch-deliver@alice.socket")
        .contains("popfetch@alice.service")
        .contains("/run/dovecot/lmtp");
  }

  @Test
  void changelogIsGzippedDebianFormat() throws IOException {
    try (InputStream in =
        new GZIPInputStream(
            Files.newInputStream(root.resolve("usr/share/doc/popfetch/changelog.gz")))) {
      assertThat(new String(in.readAllBytes(), UTF_8)).startsWith("popfetch (").contains(" -- ");
    }
  }

  private static List<String> repositoryUnits() throws IOException {
    try (Stream<Path> units = Files.list(Path.of("systemd"))) {
      return units.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
