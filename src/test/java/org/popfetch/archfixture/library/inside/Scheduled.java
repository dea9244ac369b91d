package org.popfetch.archfixture.library.inside;

import java.text.ParseException;
import org.quartz.CronExpression;

/** Uses Quartz in the package the planted rule allows it in. */
public class Scheduled {
  public boolean valid(String cron) {
    try {
      new CronExpression(cron);
      return true;
    } catch (ParseException e) {
      return false;
    }
  }
}
