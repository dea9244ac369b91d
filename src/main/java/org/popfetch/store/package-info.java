/**
 * Seen-UID stores. The embedded default is an SQLite file; every write is a transaction that is
 * durable (synchronous=FULL) before the call returns. The service, the file's only writer, keeps
 * each mailbox's entries in memory between polls over it ({@link
 * org.popfetch.store.RememberingSeenUidStore}): every write goes to the file first, memory follows.
 *
 * <p>For several nodes, {@link org.popfetch.store.PostgresSeenUidStore} keeps them in a shared
 * PostgreSQL database with the same guarantees (no memory cache: other nodes write the same rows),
 * its tables and the clustered scheduler's made by {@link org.popfetch.store.PostgresSchema}, once,
 * under an advisory lock.
 *
 * <p>The one-shot {@code poll} hands its accounts the store while it is still being opened ({@link
 * org.popfetch.store.OpeningSeenUidStore}): each call waits for the open, so the polls connect and
 * log in meanwhile.
 *
 * <p>Implements {@code fetch}'s {@link org.popfetch.fetch.SeenUidStore}.
 */
package org.popfetch.store;
