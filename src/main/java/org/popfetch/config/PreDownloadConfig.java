package org.popfetch.config;

import org.popfetch.fetch.OversizeAction;

/**
 * An account's decisions before download that are not rules.
 *
 * @param oversize what becomes of a message over the account's max-size: {@code max-size: { size:
 *     20M, action: leave | delete | notice }}; leave when max-size is a plain size
 */
public record PreDownloadConfig(OversizeAction oversize) {
  public static final PreDownloadConfig DEFAULT = new PreDownloadConfig(OversizeAction.LEAVE);
}
