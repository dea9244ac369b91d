/**
 * Local destinations for fetched mail. Each makes a message durable before it reports success:
 * Maildir writes to tmp/, fsyncs, renames into new/ and fsyncs the directory.
 *
 * <p>Mailboxes may live in directories users own while popfetch runs as root: no symbolic link that
 * another user could have planted is followed on the way to one ({@code TrustedPath}), and below
 * that point every file operation is relative to a directory held open ({@code DirectoryHandle}).
 *
 * <p>Depends on {@code fetch} (the interface it implements), {@code message}, {@code queue}
 * (forwarding) and {@code net} (log text) only; docs/architecture.md has the table the build
 * enforces.
 */
package org.popfetch.delivery;
