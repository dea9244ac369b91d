package org.popfetch.migrate;

/**
 * Something the translation of a {@code .fetchmailrc} wants said: what it could not translate (then
 * the result is incomplete), or how popfetch does a thing differently.
 *
 * @param line the line of the {@code .fetchmailrc} it is about
 * @param account the popfetch account it belongs to, or "" for the whole file
 * @param text what to say, already escaped for a terminal
 * @param untranslated whether something of the file has no popfetch equivalent here
 */
public record Note(int line, String account, String text, boolean untranslated) {
  /** As printed on standard error: "FILE:LINE: ACCOUNT: not translated: TEXT". */
  public String shown(String file) {
    return file
        + ":"
        + line
        + ": "
        + (account.isEmpty() ? "" : account + ": ")
        + (untranslated ? "not translated: " : "note: ")
        + text;
  }
}
