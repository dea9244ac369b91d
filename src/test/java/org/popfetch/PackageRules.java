package org.popfetch;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The architecture rules, built for any root package so that {@link ArchitectureTest} runs them on
 * popfetch and {@link ArchitectureRulesTest} on planted violations: the same code both ways.
 */
final class PackageRules {
  private PackageRules() {}

  /** No two packages directly under {@code root} depend on each other, directly or round about. */
  static ArchRule noCycles(String root) {
    return slices()
        .matching(root + ".(*)..")
        .namingSlices("$1")
        .should()
        .beFreeOfCycles()
        .as("no cycles between the packages under " + root);
  }

  /**
   * Each package directly under {@code root} (with its subpackages) depends only on itself, the
   * packages its row allows, and classes outside {@code root}; every class under {@code root} lives
   * in a package the table has a row for.
   */
  static ArchRule dependencies(String root, Map<String, Set<String>> table) {
    List<ArchRule> rules = new ArrayList<>();
    rules.add(
        classes()
            .that()
            .resideInAPackage(root + "..")
            .should()
            .resideInAnyPackage(under(root, table.keySet().stream()))
            .as("every package under " + root + " has a row in the dependency table"));
    table.forEach(
        (pkg, allowed) ->
            rules.add(
                classes()
                    .that()
                    .resideInAPackage(root + "." + pkg + "..")
                    .should()
                    .onlyDependOnClassesThat(
                        resideOutsideOfPackage(root + "..")
                            .or(
                                resideInAnyPackage(
                                    under(root, Stream.concat(Stream.of(pkg), allowed.stream())))))
                    .allowEmptyShould(true)
                    .as(pkg + " may depend on " + (allowed.isEmpty() ? "nothing else" : allowed))));
    return CompositeArchRule.of(rules);
  }

  /** The library's classes are used only in the given packages directly under {@code root}. */
  static ArchRule libraryConfined(String root, String library, Set<String> packages) {
    return noClasses()
        .that()
        .resideInAPackage(root + "..")
        .and()
        .resideOutsideOfPackages(under(root, packages.stream()))
        .should()
        .dependOnClassesThat()
        .resideInAPackage(library + "..")
        .allowEmptyShould(true)
        .as(library + " is used only in " + packages);
  }

  /** One rule per row of the library table. */
  static ArchRule librariesConfined(String root, Map<String, Set<String>> table) {
    List<ArchRule> rules = new ArrayList<>();
    table.forEach((library, packages) -> rules.add(libraryConfined(root, library, packages)));
    return CompositeArchRule.of(rules);
  }

  private static String[] under(String root, Stream<String> packages) {
    return packages.map(p -> root + "." + p + "..").toArray(String[]::new);
  }
}
