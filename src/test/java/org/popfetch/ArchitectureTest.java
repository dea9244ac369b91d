package org.popfetch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package layers of docs/architecture.md honest: the dependency and library tables are
 * read from the page itself ({@link ArchitectureDoc}) and enforced here; {@link
 * ArchitectureRulesTest} shows each kind of rule failing on a planted violation.
 */
class ArchitectureTest {
  static final String ROOT = "org.popfetch";
  static JavaClasses classes;

  @BeforeAll
  static void load() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
  }

  @Test
  void noPackageDependsOnOneThatDependsBackOnIt() {
    PackageRules.noCycles(ROOT).check(classes);
  }

  @Test
  void eachPackageDependsOnlyOnWhatTheDependencyTableAllows() {
    PackageRules.dependencies(ROOT, ArchitectureDoc.dependencies()).check(classes);
  }

  @Test
  void eachLibraryIsUsedOnlyWhereTheLibraryTableSays() {
    PackageRules.librariesConfined(ROOT, ArchitectureDoc.libraries()).check(classes);
  }

  @Test
  void theDependencyTableHasARowForEveryPackageAndNoRowForAMissingOne() {
    Set<String> packages = new TreeSet<>();
    for (JavaClass c : classes) {
      String name = c.getPackageName();
      if (name.startsWith(ROOT + ".")) {
        packages.add(name.substring(ROOT.length() + 1).split("\\.")[0]);
      }
    }
    assertThat(new TreeSet<>(ArchitectureDoc.dependencies().keySet())).isEqualTo(packages);
  }

  @Test
  void theLibraryTableNamesOnlyPackagesThatExist() {
    Set<String> packages = ArchitectureDoc.dependencies().keySet();
    ArchitectureDoc.libraries()
        .forEach((library, where) -> assertThat(packages).as(library).containsAll(where));
  }

  // The table may be edited; these say what no edit of it may loosen.

  @Test
  void nothingDependsOnTheApplicationLayer() {
    noClasses()
        .that()
        .resideOutsideOfPackage("org.popfetch.app..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.popfetch.app..")
        .check(classes);
  }

  @Test
  void theConfigurationIsReadByTheApplicationOnly() {
    noClasses()
        .that()
        .resideOutsideOfPackages("org.popfetch.app..", "org.popfetch.config..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.popfetch.config..")
        .check(classes);
  }

  @Test
  void protocolClientsKnowNothingOfConfigSchedulingMetricsOrMailParsing() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "org.popfetch.pop3..",
            "org.popfetch.smtp..",
            "org.popfetch.net..",
            "org.popfetch.sasl..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.popfetch.app..",
            "org.popfetch.config..",
            "org.popfetch.schedule..",
            "org.popfetch.metrics..",
            "org.popfetch.fetch..",
            "org.popfetch.store..",
            "org.popfetch.delivery..",
            "org.popfetch.queue..",
            "org.popfetch.message..",
            "org.quartz..",
            "org.yaml..",
            "io.micrometer..",
            "org.apache.james..",
            "picocli..")
        .check(classes);
  }

  @Test
  void saslDoesNoIo() {
    noClasses()
        .that()
        .resideInAPackage("org.popfetch.sasl..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.net..", "java.nio.file..", "org.popfetch.net..", "org.slf4j..")
        .check(classes);
  }
}
