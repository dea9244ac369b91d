/**
 * The command line ({@code popfetch}), the embedded demo server and the wiring of the other
 * packages. Nothing depends on this package.
 */
package org.popfetch.app;
