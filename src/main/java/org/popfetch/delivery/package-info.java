/**
 * Local destinations for fetched mail. Each makes a message durable before it reports success:
 * Maildir writes to tmp/, fsyncs, links into new/ and fsyncs the directory.
 *
 * <p>Depends on {@code fetch} (the interface it implements) and {@code message}.
 */
package org.popfetch.delivery;
