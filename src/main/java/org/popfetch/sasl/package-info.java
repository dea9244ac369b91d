/**
 * SASL client mechanisms shared by the POP3 and SMTP clients (RFC 4422): PLAIN, LOGIN, CRAM-MD5,
 * XOAUTH2 and OAUTHBEARER.
 *
 * <p>Mechanisms compute responses from challenges and nothing else: they do no I/O and never log.
 * Challenges come from an untrusted server and are treated as arbitrary bytes.
 */
package org.popfetch.sasl;
