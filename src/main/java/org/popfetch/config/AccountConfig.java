package org.popfetch.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.popfetch.fetch.AccountKey;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.TlsMode;

/**
 * One remote mailbox and where its mail goes. Defaults from the file's {@code defaults:} block are
 * already applied.
 *
 * @param name unique, used in logs, state and the command line
 * @param server host name or address
 * @param port 995 by default with implicit TLS, 110 otherwise
 * @param tls implicit (default), starttls, or none (must be said explicitly)
 * @param caFile extra CA certificates to trust
 * @param fingerprint SHA-256 pin of the server certificate (32 octets)
 * @param user login name
 * @param password the password, if the account logs in with one
 * @param oauthToken an OAuth 2.0 access token, if the account logs in with one
 * @param oauth where the account's access tokens come from, if popfetch fetches and refreshes them
 *     itself
 * @param auth login method (xoauth2 when oauth is given and auth is not)
 * @param schedule when the daemon polls: every {@code interval} (5 minutes unless said), or at the
 *     times its {@code cron} expression names
 * @param keep leave fetched mail on the server (never fetch it twice)
 * @param deleteAfter delete kept mail this long after it was first seen
 * @param maxSize leave larger messages on the server
 * @param fetchLimit at most this many messages per poll
 * @param fullListingEvery in keep mode, read the server's whole listing at least every this many
 *     polls, and in between only what follows the messages kept before (1: at every poll)
 * @param timeout connect and read timeout
 * @param deliver the destination
 * @param recipientHeader for a multidrop mailbox: the header that names each message's recipient
 *     (Delivered-To, X-Original-To, Envelope-To...); otherwise the account's mailbox
 * @param rules routing rules, first match wins; {@code deliver} takes what none matches
 * @param uidScope a name for the scope of its seen UIDs in the state, instead of the one made of
 *     server, port and user (to keep them when the account moves to another port)
 * @param switches the trace fields added, the fields removed, and the server's line framing
 * @param preDownload what becomes of messages over max-size (leave, delete, notice)
 * @param multidrop a mailbox for several local users: whom each message is for, and where each
 *     one's mail goes; {@code deliver} then takes what is for none of them
 */
public record AccountConfig(
    String name,
    String server,
    int port,
    TlsMode tls,
    Optional<Path> caFile,
    Optional<byte[]> fingerprint,
    String user,
    Optional<Secret> password,
    Optional<Secret> oauthToken,
    Optional<OAuthConfig> oauth,
    AuthMethod auth,
    Schedule schedule,
    boolean keep,
    Optional<Duration> deleteAfter,
    OptionalLong maxSize,
    OptionalInt fetchLimit,
    int fullListingEvery,
    Duration timeout,
    DeliverConfig deliver,
    Optional<String> recipientHeader,
    List<RuleConfig> rules,
    Optional<String> uidScope,
    Switches switches,
    PreDownloadConfig preDownload,
    Optional<MultidropConfig> multidrop) {
  /** Where its seen UIDs are kept: the scope it names, else its server, port and user. */
  public AccountKey scope() {
    return uidScope.map(AccountKey::named).orElseGet(() -> AccountKey.of(server, port, user));
  }

  /** Where an earlier version kept its seen UIDs (server and user, no port). */
  public AccountKey scopeBeforePorts() {
    return AccountKey.beforePorts(server, user);
  }
}
