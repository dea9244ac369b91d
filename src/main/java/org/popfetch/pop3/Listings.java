package org.popfetch.pop3;

import java.util.Optional;

/**
 * A whole maildrop's listings, as LIST and UIDL gave them.
 *
 * @param scan every message's number and size
 * @param uids every message's unique-id; empty if the server refused UIDL
 * @param uidlRefused the server's answer to UIDL, if it refused it
 */
public record Listings(ScanTable scan, UidTable uids, Optional<Pop3Reply> uidlRefused) {}
