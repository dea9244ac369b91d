/**
 * Multidrop: one remote mailbox that collects mail for several local users. Whom a message is for
 * comes from its envelope header or its address fields ({@link org.popfetch.message.Recipients});
 * {@link org.popfetch.multidrop.RecipientMap} maps those addresses to local users, and {@link
 * org.popfetch.multidrop.MultidropDestination} delivers the message once to each of them, at each
 * one's own destination, recording durably which of them have it.
 *
 * <p>Knows nothing of the configuration: {@code app} builds it from an account's {@code multidrop:}
 * block.
 */
package org.popfetch.multidrop;
