package org.popfetch.pop3;

/** The answer to STAT: how many messages and how many octets. */
public record MailboxStatus(long messages, long octets) {}
