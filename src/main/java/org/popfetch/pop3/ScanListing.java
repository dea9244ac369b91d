package org.popfetch.pop3;

/**
 * One line of LIST: a message number and its size. Servers often report the size with LF line
 * ends or slightly wrong, so it is a hint, never a bound the body is held to.
 */
public record ScanListing(int number, long size) {}
