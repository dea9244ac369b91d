package org.popfetch.archfixture.library.outside;

import org.quartz.CronExpression;

/** A planted use of Quartz outside the package the planted rule allows it in. */
public class Leak {
  public boolean valid(String cron) {
    return CronExpression.isValidExpression(cron);
  }
}
