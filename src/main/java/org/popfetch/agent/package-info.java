/**
 * Delivery for local users by an agent that runs as the user: the network-facing service hands a
 * message over a local stream ({@code AgentDestination}, a {@code fetch.Destination}) to {@code
 * popfetch deliver-agent} ({@code AgentServer}, {@code AgentSession}), which writes it through the
 * ordinary Maildir or mbox destination with the user's own rights and answers only once the copy is
 * durable. The framing ({@code AgentProtocol}) is bounded on both sides; any failure of the stream
 * leaves the mail on the server.
 *
 * <p>Depends on {@code fetch}, {@code delivery}, {@code message} and {@code net};
 * docs/architecture.md has the table the build enforces.
 */
package org.popfetch.agent;
