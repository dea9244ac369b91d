package org.popfetch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two rule tables of docs/architecture.md, read the way {@link ArchitectureTest} enforces them,
 * so the page and the test cannot say different things.
 *
 * <p>A table is the first Markdown table after its "## " heading. Each row names one thing in
 * backticks in its first cell and a list of backticked package names in its second; "any package"
 * allows every package of the table and "none" allows none.
 */
final class ArchitectureDoc {
  static final Path PAGE = Path.of("docs", "architecture.md");
  static final String DEPENDENCIES = "Package dependencies";
  static final String LIBRARIES = "Third-party libraries";

  /** Stands for "any package" in a row before it is expanded. */
  private static final String ANY = "*";

  private static final Pattern TICKED = Pattern.compile("`([^`]+)`");

  private ArchitectureDoc() {}

  /** The package dependency table of the page: package to the packages it may depend on. */
  static Map<String, Set<String>> dependencies() {
    return dependencies(read());
  }

  /** The library table of the page: a library's Java package to the packages it may be used in. */
  static Map<String, Set<String>> libraries() {
    return table(read(), LIBRARIES);
  }

  /**
   * The package dependency table of the given Markdown, with "any package" expanded.
   *
   * @throws IllegalStateException if the table is missing, or names a package it has no row for
   */
  static Map<String, Set<String>> dependencies(String markdown) {
    Map<String, Set<String>> rows = table(markdown, DEPENDENCIES);
    Map<String, Set<String>> expanded = new LinkedHashMap<>();
    rows.forEach(
        (pkg, allowed) -> {
          if (allowed.contains(ANY)) {
            Set<String> all = new LinkedHashSet<>(rows.keySet());
            all.remove(pkg);
            expanded.put(pkg, all);
            return;
          }
          for (String other : allowed) {
            if (!rows.containsKey(other)) {
              throw new IllegalStateException(
                  DEPENDENCIES + ": " + pkg + " may depend on " + other + ", which has no row");
            }
          }
          expanded.put(pkg, allowed);
        });
    return expanded;
  }

  /**
   * The rows of the first table after the heading "## {@code heading}".
   *
   * @throws IllegalStateException if there is no such heading, no table after it, a row whose first
   *     cell names nothing, or a second cell that is neither names nor "none"
   */
  static Map<String, Set<String>> table(String markdown, String heading) {
    List<String> lines = markdown.lines().toList();
    int at = lines.indexOf("## " + heading);
    if (at < 0) {
      throw new IllegalStateException(PAGE + " has no section \"## " + heading + "\"");
    }
    List<String> rows = new ArrayList<>();
    for (int i = at + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
      String line = lines.get(i).strip();
      if (line.startsWith("|")) {
        rows.add(line);
      } else if (!rows.isEmpty()) {
        break;
      }
    }
    if (rows.size() < 3) {
      throw new IllegalStateException(PAGE + ": \"" + heading + "\" has no table rows");
    }
    Map<String, Set<String>> table = new LinkedHashMap<>();
    for (String row : rows.subList(2, rows.size())) {
      String[] cells = row.substring(1).split("\\|");
      if (cells.length < 2) {
        throw new IllegalStateException(heading + ": a row without two cells: " + row);
      }
      List<String> key = ticked(cells[0]);
      if (key.size() != 1) {
        throw new IllegalStateException(heading + ": first cell must name one thing: " + row);
      }
      table.put(key.get(0), allowed(heading, row, cells[1].strip()));
    }
    return table;
  }

  private static Set<String> allowed(String heading, String row, String cell) {
    if (cell.equals("any package")) {
      return Set.of(ANY);
    }
    if (cell.equals("none")) {
      return Set.of();
    }
    List<String> names = ticked(cell);
    if (names.isEmpty() || !cell.replaceAll("`[^`]+`", "").replaceAll("[,\\s]", "").isEmpty()) {
      throw new IllegalStateException(
          heading + ": write `a`, `b`, \"none\" or \"any package\": " + row);
    }
    return new LinkedHashSet<>(names);
  }

  private static List<String> ticked(String cell) {
    List<String> names = new ArrayList<>();
    Matcher m = TICKED.matcher(cell);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static String read() {
    try {
      return Files.readString(PAGE, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + PAGE.toAbsolutePath(), e);
    }
  }
}
