package org.popfetch.migrate;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code .fetchmailrc} translated: the YAML text, the passwords to write into secret files, and
 * what was said along the way.
 *
 * @param yaml the configuration, passwords replaced by {@code { file: ... }} references
 * @param secrets each secret file to write and the password it holds
 * @param notes in the order of the file; the untranslated ones are also comments in {@code yaml}
 */
public record Translation(String yaml, Map<Path, String> secrets, List<Note> notes) {
  public Translation {
    secrets = Collections.unmodifiableMap(new LinkedHashMap<>(secrets));
    notes = List.copyOf(notes);
  }

  /** Whether everything had a popfetch equivalent (no note says "not translated"). */
  public boolean complete() {
    return notes.stream().noneMatch(Note::untranslated);
  }
}
