/**
 * Seen-UID stores. The embedded default is an SQLite file; every write is a transaction that is
 * durable (synchronous=FULL) before the call returns.
 *
 * <p>Implements {@code fetch}'s {@link org.popfetch.fetch.SeenUidStore}.
 */
package org.popfetch.store;
