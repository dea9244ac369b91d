package org.popfetch.pop3;

/**
 * One line of UIDL: a message number and its unique-id.
 *
 * <p>The unique-id is kept as received (each byte one char, ISO-8859-1), even where a server breaks
 * the rule of RFC 1939 section 7; {@link #wellFormed()} says whether it keeps it.
 */
public record UidListing(int number, String uid) {
  public static final int MAX_UID_LENGTH = 70;

  /** One to 70 characters in 0x21..0x7E, as RFC 1939 section 7 requires. */
  public boolean wellFormed() {
    if (uid.isEmpty() || uid.length() > MAX_UID_LENGTH) {
      return false;
    }
    for (int i = 0; i < uid.length(); i++) {
      char c = uid.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
