package org.popfetch.sasl;

/**
 * Where the credentials of a login come from, asked at each login: a password read from a file or
 * printed by a command, or an OAuth access token, may change while the service runs, so it is not
 * kept beyond the login it was asked for.
 *
 * <p>Credentials already in hand are their own source (see {@link Credentials}).
 */
public interface CredentialSource {
  /** Who logs in; known without asking for the secret (it names the account's state). */
  String user();

  /**
   * The credentials for one login, asked afresh at each call. The caller uses them for that login
   * and drops them.
   *
   * @throws CredentialException if the secret cannot be had now (a command failed, a file is
   *     missing, a variable is unset, a token cannot be refreshed); its message is one line that
   *     names where the secret comes from and never holds the secret
   */
  Credentials credentials() throws CredentialException;
}
