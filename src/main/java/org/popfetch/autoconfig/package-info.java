/**
 * Finding the POP3 server for an e-mail address, as {@code popfetch configure} does: RFC 6186 / RFC
 * 8314 SRV records, then the domain's Thunderbird autoconfig document, then a small table of the
 * big providers; then a CAPA check of what was found. Everything read from DNS or HTTP is bounded,
 * checked as a host name or number, and escaped before it is shown.
 */
package org.popfetch.autoconfig;
