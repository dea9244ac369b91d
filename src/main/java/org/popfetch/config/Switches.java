package org.popfetch.config;

import org.popfetch.net.Framing;

/**
 * An account's switches for what popfetch writes into each message it delivers and for how it reads
 * a server that breaks the line framing: the keys {@code received}, {@code delivered-to}, {@code
 * drop-delivered-to}, {@code drop-status} and {@code line-endings}. Each may also be set under
 * {@code defaults:}.
 *
 * @param received add a Received: field for the fetch (fetchmail's {@code invisible} turns it off)
 * @param deliveredTo add a Delivered-To: field naming the mailbox
 * @param dropDeliveredTo remove the Delivered-To: fields the message came with ({@code
 *     dropdelivered})
 * @param dropStatus remove Status:, X-Status: and X-Mozilla-Status: ({@code dropstatus})
 * @param lineEndings {@link Framing#CRLF} as RFC 1939 says, or {@link Framing#LF_TOLERANT} for a
 *     server that ends its lines with a bare LF
 */
public record Switches(
    boolean received,
    boolean deliveredTo,
    boolean dropDeliveredTo,
    boolean dropStatus,
    Framing lineEndings) {
  /** What popfetch does unless told otherwise. */
  public static final Switches DEFAULT = new Switches(true, true, false, false, Framing.CRLF);

  /** Whether every switch is as {@link #DEFAULT} has it. */
  public boolean isDefault() {
    return equals(DEFAULT);
  }
}
