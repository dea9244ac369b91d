package org.popfetch.archfixture.layers.high;

import org.popfetch.archfixture.layers.low.Low;

/** A planted upper layer that uses the lower one, as it may. */
public class High {
  public int depth() {
    return new Low().depth() + 1;
  }
}
