package org.popfetch.archfixture.cycle.b;

import org.popfetch.archfixture.cycle.a.Alpha;

/** The other half of a planted package cycle: b uses a back. */
public class Beta {
  public Alpha partner() {
    return new Alpha();
  }
}
