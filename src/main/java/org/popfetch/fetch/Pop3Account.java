package org.popfetch.fetch;

import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.sasl.Credentials;

/**
 * A mailbox to poll, with everything needed to log in.
 *
 * @param name the account's name, for logs
 * @param settings where and how to connect
 * @param credentials who logs in (secrets already resolved)
 * @param auth how
 * @param mailbox the mailbox as an address, for Delivered-To
 */
public record Pop3Account(String name, Pop3Settings settings, Credentials credentials, AuthMethod auth, String mailbox) {
  public AccountKey key() {
    return new AccountKey(settings.host(), credentials.user());
  }
}
