/**
 * The mail-format boundary: header reading, the envelope and its addresses (taken literally, never
 * decoded), trace header stamping (folded and dated with Mime4j) and line-end conversion, all
 * streaming. A message body is never held in memory here, except the short notices popfetch writes
 * itself ({@link org.popfetch.message.TextMessage}).
 *
 * <p>Depends on Mime4j and the JDK only, and is the only package that uses Mime4j.
 */
package org.popfetch.message;
