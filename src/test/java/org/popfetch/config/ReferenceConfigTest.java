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
 * {@code conf/popfetch.yaml} says it shows every key popfetch accepts: it does, and it loads. The
 * keys are taken from the readers themselves, from the key lists each section declares ({@code
 * List.of("maildir", "mbox", ...)}), so a key added to a reader and not to the reference fails
 * here.
 */
class ReferenceConfigTest {
  private static final Path REFERENCE = Path.of("conf/popfetch.yaml");
  private static final Path READERS = Path.of("src/main/java/org/popfetch/config");
  private static final Pattern KEY_LIST = Pattern.compile("List\\.of\\(([^)]*)\\)");
  private static final Pattern KEY = Pattern.compile("\"([a-z][a-z0-9-]*)\"");

  /** Every key some reader of the configuration accepts. */
  static Set<String> acceptedKeys() throws IOException {
    Set<String> keys = new TreeSet<>();
    try (Stream<Path> files = Files.list(READERS)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher lists = KEY_LIST.matcher(Files.readString(f));
        while (lists.find()) {
          Matcher k = KEY.matcher(lists.group(1));
          while (k.find()) {
            keys.add(k.group(1));
          }
        }
      }
    }
    return keys;
  }

  @Test
  void theReaderKeysAreFound() throws IOException {
    // Guards the scan itself: a refactoring that hides the lists must not make this test vacuous.
    assertThat(acceptedKeys())
        .contains("state", "accounts", "maildir", "allow-root", "listen", "data-done", "env")
        .hasSizeGreaterThan(50);
  }

  @Test
  void everyAcceptedKeyIsInTheReference() throws IOException {
    String reference = Files.readString(REFERENCE);
    Set<String> missing = new TreeSet<>();
    for (String key : acceptedKeys()) {
      // As a key, commented out or not: at a line's start, after "{", ",", "-" or "#".
      if (!Pattern.compile("(?m)(^|[\\s{,#-])" + Pattern.quote(key) + ":")
          .matcher(reference)
          .find()) {
        missing.add(key);
      }
    }
    assertThat(missing).as("keys popfetch accepts that " + REFERENCE + " does not show").isEmpty();
  }

  @Test
  void theReferenceLoads() throws Exception {
    PopfetchConfig config = ConfigLoader.parse(REFERENCE, Files.readString(REFERENCE), false);
    assertThat(config.accounts()).extracting(AccountConfig::name).containsExactly("work", "home");
  }
}
