/**
 * The YAML configuration, loaded with SnakeYAML into immutable records and validated before any
 * network traffic. Every error names the file, the line and the key.
 *
 * <p>{@code YamlReader} is the only code that looks inside SnakeYAML nodes; {@code ConfigLoader}
 * coordinates, and a reader per section ({@code AccountSection} and its {@code AccountValues},
 * {@code DeliverSection}, {@code SmtpSection}, {@code RuleSection}, {@code SecretSection}, {@code
 * StateSection}, {@code QueueSection}) turns each part into records and enums, so that values leave
 * this package typed ({@code HostPort}, {@code StateLocation}, {@code Route}, {@code Schedule}) and
 * are never parsed from strings again downstream.
 *
 * <p>May depend on the engine's value types ({@code fetch}, {@code pop3}, {@code net}) and on
 * {@code schedule} only to check a cron expression with the parser that will run it; nothing in the
 * engine depends on this package.
 */
package org.popfetch.config;
