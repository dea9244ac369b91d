package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * popfetch.yaml(5) (src/man/popfetch.yaml.adoc) describes every key the loader accepts: each key
 * list of the section readers ({@code ..._KEYS = List.of(...)}, or one given inline to {@code
 * mapping(...)}) is read from their source, so a key added there without a word in the man page
 * fails here.
 */
class ConfigManPageTest {
  private static final Pattern KEY_LIST =
      Pattern.compile("(?:KEYS\\s*=\\s*|mapping\\([^;]*?)List\\.of\\(([^)]*)\\)", Pattern.DOTALL);
  private static final Pattern QUOTED = Pattern.compile("\"([a-z][a-z0-9-]*)\"");

  @Test
  void manPageNamesEveryKeyTheLoaderAccepts() throws IOException {
    Set<String> keys = new TreeSet<>();
    try (Stream<Path> sources = Files.list(Path.of("src/main/java/org/popfetch/config"))) {
      for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher list = KEY_LIST.matcher(Files.readString(source));
        while (list.find()) {
          Matcher key = QUOTED.matcher(list.group(1));
          while (key.find()) {
            keys.add(key.group(1));
          }
        }
      }
    }
    assertThat(keys).as("keys found in the loader").contains("accounts", "url", "listen", "to");

    String page = Files.readString(Path.of("src/man/popfetch.yaml.adoc"));

    assertThat(keys).allSatisfy(key -> assertThat(page).as(key).contains(key + ":"));
  }
}
