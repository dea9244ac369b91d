package org.popfetch.fetch;

import java.util.Optional;
import org.popfetch.message.HeaderRewrite;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.sasl.CredentialSource;

/**
 * A mailbox to poll, with everything needed to log in.
 *
 * @param name the account's name, for logs
 * @param settings where and how to connect
 * @param credentialSource who logs in, and the secret, asked for at each login
 * @param auth how
 * @param mailbox the mailbox as an address, for Delivered-To
 * @param recipientHeader for a multidrop mailbox, the header naming each message's recipient
 * @param key the scope of its unique-ids in the store
 * @param headers the trace fields added to each message and the fields removed from it
 */
public record Pop3Account(
    String name,
    Pop3Settings settings,
    CredentialSource credentialSource,
    AuthMethod auth,
    String mailbox,
    Optional<String> recipientHeader,
    AccountKey key,
    HeaderRewrite headers) {
  /** With the header left as popfetch writes it by default. */
  public Pop3Account(
      String name,
      Pop3Settings settings,
      CredentialSource credentialSource,
      AuthMethod auth,
      String mailbox,
      Optional<String> recipientHeader,
      AccountKey key) {
    this(
        name,
        settings,
        credentialSource,
        auth,
        mailbox,
        recipientHeader,
        key,
        HeaderRewrite.DEFAULT);
  }

  /** The same account with another header rewrite. */
  public Pop3Account withHeaders(HeaderRewrite rewrite) {
    return new Pop3Account(
        name, settings, credentialSource, auth, mailbox, recipientHeader, key, rewrite);
  }

  /** With the scope popfetch sees: server, port and user. */
  public Pop3Account(
      String name,
      Pop3Settings settings,
      CredentialSource credentialSource,
      AuthMethod auth,
      String mailbox,
      Optional<String> recipientHeader) {
    this(
        name,
        settings,
        credentialSource,
        auth,
        mailbox,
        recipientHeader,
        AccountKey.of(settings.host(), settings.port(), credentialSource.user()));
  }

  /** A single-drop mailbox: every message is for {@code mailbox}. */
  public Pop3Account(
      String name,
      Pop3Settings settings,
      CredentialSource credentialSource,
      AuthMethod auth,
      String mailbox) {
    this(name, settings, credentialSource, auth, mailbox, Optional.empty());
  }
}
