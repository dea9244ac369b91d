package org.popfetch.archfixture.layers.low;

/** A planted lower layer. */
public class Low {
  public int depth() {
    return 0;
  }
}
