/**
 * The YAML configuration, loaded with SnakeYAML into immutable records and validated before any
 * network traffic. Every error names the file, the line and the key.
 *
 * <p>May depend on the engine's value types ({@code fetch}, {@code pop3}, {@code net}) and on
 * {@code schedule} only to check a cron expression with the parser that will run it; nothing in
 * the engine depends on this package.
 */
package org.popfetch.config;
