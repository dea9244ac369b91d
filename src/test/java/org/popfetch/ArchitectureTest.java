package org.popfetch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keeps the package layers of docs/architecture.md honest. */
class ArchitectureTest {
  static JavaClasses classes;

  @BeforeAll
  static void load() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.popfetch");
  }

  @Test
  void protocolClientsKnowNothingOfConfigSchedulingMetricsOrMailParsing() {
    noClasses()
        .that()
        .resideInAnyPackage("org.popfetch.pop3..", "org.popfetch.smtp..", "org.popfetch.net..", "org.popfetch.sasl..")
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
  void theNetworkLayerUsesNoOtherPopfetchPackage() {
    noClasses()
        .that()
        .resideInAPackage("org.popfetch.net..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.popfetch.pop3..", "org.popfetch.smtp..", "org.popfetch.sasl..")
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
  void thePollPassKnowsOnlyItsInterfacesNotTheirImplementations() {
    noClasses()
        .that()
        .resideInAPackage("org.popfetch.fetch..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.popfetch.config..",
            "org.popfetch.store..",
            "org.popfetch.delivery..",
            "org.popfetch.app..",
            "org.yaml..",
            "org.quartz..",
            "io.micrometer..",
            "org.sqlite..")
        .check(classes);
  }

  @Test
  void destinationsAndStoresDoNotKnowEachOtherOrTheConfig() {
    noClasses()
        .that()
        .resideInAnyPackage("org.popfetch.delivery..", "org.popfetch.store..", "org.popfetch.message..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.popfetch.config..", "org.popfetch.pop3..", "org.yaml..")
        .check(classes);
    noClasses().that().resideInAPackage("org.popfetch.delivery..").should().dependOnClassesThat()
        .resideInAPackage("org.popfetch.store..").check(classes);
    noClasses().that().resideInAPackage("org.popfetch.store..").should().dependOnClassesThat()
        .resideInAPackage("org.popfetch.delivery..").check(classes);
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
}
