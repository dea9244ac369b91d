package org.popfetch.archfixture.cycle.a;

import org.popfetch.archfixture.cycle.b.Beta;

/** One half of a planted package cycle: a uses b. */
public class Alpha {
  public Beta partner() {
    return new Beta();
  }
}
