package org.popfetch.archfixture.layers.low;

import org.popfetch.archfixture.layers.high.High;

/** A planted upward dependency: the lower layer reaching for the upper one. */
public class Upward {
  public int depth() {
    return new High().depth();
  }
}
