/**
 * The YAML configuration, loaded with SnakeYAML into immutable records and validated before any
 * network traffic. Every error names the file, the line and the key.
 *
 * <p>May depend on the engine's value types ({@code pop3}, {@code net}); nothing in the engine
 * depends on this package.
 */
package org.popfetch.config;
