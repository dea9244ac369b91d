/**
 * Planted violations of the architecture rules, laid out as small fake packages, so that {@code
 * ArchitectureRulesTest} can show each rule failing. Nothing here is ever run.
 */
package org.popfetch.archfixture;
