/**
 * Sockets, TLS and byte-level framing shared by the protocol clients, and the command channel
 * through which both write commands, read reply lines and have their I/O failures translated.
 *
 * <p>Invariants: every line read from a peer has a fixed upper bound, message bodies are streamed
 * and never held whole; TLS always verifies the certificate chain and the host name unless a
 * certificate pin replaces both. This package depends on the JDK and SLF4J only and knows nothing
 * of configuration, scheduling or mail parsing.
 */
package org.popfetch.net;
