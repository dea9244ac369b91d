package org.popfetch.migrate;

import org.popfetch.fetch.AccountKey;

/**
 * A popfetch account as {@code import seen} needs it: what names its maildrop, and where its seen
 * UIDs are kept.
 *
 * @param name the account's name, for the report
 * @param scope where its seen UIDs are stored
 */
public record ImportTarget(String name, String server, int port, String user, AccountKey scope) {}
