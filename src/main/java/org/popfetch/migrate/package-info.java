/**
 * Coming from another POP3 client: {@code popfetch import fetchmailrc} translates a {@code
 * .fetchmailrc} into popfetch's YAML (passwords into private secret files, what has no popfetch
 * equivalent listed with its line), and {@code popfetch import seen} reads what fetchmail ({@code
 * .fetchids}), mpop (its UIDL files) and getmail6 ({@code oldmail-*}) remember of kept mail and
 * records it as seen, so that the first poll after switching fetches nothing old.
 *
 * <p>Everything here reads files written by someone else: each is bounded in size, line and token
 * length, nothing in it is ever executed, and what it says is escaped ({@code net.LogText}) before
 * it reaches a terminal. It uses {@code fetch}'s {@code SeenUidStore} to record and knows nothing
 * of popfetch's own configuration (the command hands it {@code ImportTarget}s) nor of the commands
 * that call it.
 */
package org.popfetch.migrate;
