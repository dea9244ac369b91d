/**
 * Talking with whoever runs the service: the admin's commands over a local control socket ({@link
 * ControlServer} in {@code popfetch run}, {@link ControlClient} in {@code poll}, {@code queue
 * flush}, {@code reload}, {@code status}), and systemd over its notification socket ({@link
 * SdNotify}, {@link Watchdog}).
 *
 * <p>Invariants: a peer on the control socket is local but not trusted: its request is one line of
 * bounded length and word count, it must arrive within a few seconds, at most a few peers are
 * served at once, and nothing a peer does reaches a poll; what a client prints from a reply is
 * escaped ({@code net.LogText}) and bounded too. This package knows nothing of configuration,
 * accounts or polls: what a command does is its caller's {@link ControlServer.Handler}.
 */
package org.popfetch.control;
