package org.popfetch.pop3;

/**
 * One line of LIST: a message number and its size. Servers often report the size with LF line ends
 * or slightly wrong, so it is a hint: a body is held to it only loosely (see {@code SizeCheck}), to
 * tell a session out of step from an honest difference in counting.
 */
public record ScanListing(int number, long size) {}
