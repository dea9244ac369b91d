package org.popfetch.config;

import org.popfetch.fetch.OversizeAction;

/**
 * A {@code max-size:} as written: a size ({@code max-size: 20M}, action leave), or a size and what
 * becomes of larger messages ({@code max-size: { size: 20M, action: notice }}).
 */
record MaxSize(long size, OversizeAction action) {}
