/**
 * Micrometer meters for polls, deliveries and the queue, exposed in Prometheus format with a health
 * check over a small HTTP server. Depends on {@code fetch} and {@code queue} through their result
 * types only.
 */
package org.popfetch.metrics;
