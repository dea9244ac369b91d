package org.popfetch.fetch;

import java.io.IOException;

/** The handler's way to stop the pipelined RETRs when the service is stopping. */
final class StopRequested extends IOException {
  StopRequested() {
    super("stop requested");
  }
}
