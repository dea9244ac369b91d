package org.popfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each kind of rule in {@link ArchitectureTest}, run on planted violations (the fake packages under
 * {@code org.popfetch.archfixture}), reports them; and the table reader refuses a table it cannot
 * read instead of enforcing less than the page says.
 */
class ArchitectureRulesTest {
  private static final String FIXTURE = "org.popfetch.archfixture";

  private static JavaClasses fixture(String name) {
    return new ClassFileImporter().importPackages(FIXTURE + "." + name);
  }

  private static String report(EvaluationResult result) {
    return String.join("\n", result.getFailureReport().getDetails());
  }

  @Test
  void aCycleBetweenTwoPackagesIsReported() {
    String root = FIXTURE + ".cycle";
    EvaluationResult result = PackageRules.noCycles(root).evaluate(fixture("cycle"));

    assertThat(result.hasViolation()).isTrue();
    assertThat(report(result)).contains("Cycle detected").contains("a").contains("b");
  }

  @Test
  void noCycleIsReportedWhereDependenciesPointOneWay() {
    String root = FIXTURE + ".library";
    EvaluationResult result = PackageRules.noCycles(root).evaluate(fixture("library"));

    assertThat(result.hasViolation()).isFalse();
  }

  @Test
  void aDependencyTheTableDoesNotAllowIsReported() {
    String root = FIXTURE + ".layers";
    Map<String, Set<String>> table = Map.of("high", Set.of("low"), "low", Set.of());

    EvaluationResult result = PackageRules.dependencies(root, table).evaluate(fixture("layers"));

    assertThat(result.hasViolation()).isTrue();
    assertThat(report(result))
        .contains("layers.low.Upward")
        .contains("layers.high.High")
        .doesNotContain("layers.high.High.depth() calls method <" + root + ".low.Low");
  }

  @Test
  void dependenciesTheTableAllowsAreNotReported() {
    String root = FIXTURE + ".layers";
    Map<String, Set<String>> table = Map.of("high", Set.of("low"), "low", Set.of("high"));

    EvaluationResult result = PackageRules.dependencies(root, table).evaluate(fixture("layers"));

    assertThat(result.hasViolation()).as(report(result)).isFalse();
  }

  @Test
  void aPackageWithoutARowIsReported() {
    String root = FIXTURE + ".cycle";
    Map<String, Set<String>> table = Map.of("a", Set.of("b"));

    EvaluationResult result = PackageRules.dependencies(root, table).evaluate(fixture("cycle"));

    assertThat(result.hasViolation()).isTrue();
    assertThat(report(result)).contains("cycle.b.Beta");
  }

  @Test
  void aLibraryUsedOutsideItsPackagesIsReported() {
    String root = FIXTURE + ".library";

    EvaluationResult result =
        PackageRules.libraryConfined(root, "org.quartz", Set.of("inside"))
            .evaluate(fixture("library"));

    assertThat(result.hasViolation()).isTrue();
    assertThat(report(result)).contains("library.outside.Leak").doesNotContain("Scheduled");
  }

  @Test
  void aLibraryUsedOnlyInItsPackagesIsNotReported() {
    String root = FIXTURE + ".library";

    EvaluationResult result =
        PackageRules.libraryConfined(root, "org.quartz", Set.of("inside", "outside"))
            .evaluate(fixture("library"));

    assertThat(result.hasViolation()).as(report(result)).isFalse();
  }

  @Test
  void theTableReaderReadsRowsAndExpandsAnyPackage() {
    String page =
        "# x\n\n## Package dependencies\n\nprose\n\n| package | may depend on |\n|---|---|\n"
            + "| `top` | any package |\n| `mid` | `low` |\n| `low` | none |\n\nafter\n";

    assertThat(ArchitectureDoc.dependencies(page))
        .isEqualTo(Map.of("top", Set.of("mid", "low"), "mid", Set.of("low"), "low", Set.of()));
  }

  @Test
  void theTableReaderRefusesWhatItCannotRead() {
    String head = "## Package dependencies\n\n| package | may depend on |\n|---|---|\n";

    assertThatThrownBy(() -> ArchitectureDoc.dependencies("## Packages\n"))
        .hasMessageContaining("no section");
    assertThatThrownBy(() -> ArchitectureDoc.dependencies(head + "| `a` | `b` |\n"))
        .hasMessageContaining("which has no row");
    assertThatThrownBy(() -> ArchitectureDoc.dependencies(head + "| `a` | b and c |\n"))
        .hasMessageContaining("write `a`");
  }
}
