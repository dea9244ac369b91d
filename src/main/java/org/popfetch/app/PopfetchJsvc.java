package org.popfetch.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.apache.commons.daemon.Daemon;
import org.apache.commons.daemon.DaemonContext;
import org.apache.commons.daemon.DaemonInitException;

/**
 * The service under Apache Commons Daemon's jsvc: {@code jsvc ... org.popfetch.app.PopfetchJsvc
 * --config /etc/popfetch/popfetch.yaml}. The same service as {@code popfetch run}.
 */
public final class PopfetchJsvc implements Daemon {
  private Path config = CommonOptions.DEFAULT_CONFIG;
  private boolean trace;
  private boolean watch = true;
  private PopfetchDaemon daemon;

  @Override
  public void init(DaemonContext context) throws DaemonInitException {
    String[] args = context.getArguments();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "-c", "--config" -> {
          if (i + 1 >= args.length) {
            throw new DaemonInitException("--config needs a file");
          }
          config = Path.of(args[++i]);
        }
        case "--trace" -> trace = true;
        case "--no-watch" -> watch = false;
        default ->
            throw new DaemonInitException(
                "unknown argument " + args[i] + " (expected --config FILE, --trace, --no-watch)");
      }
    }
  }

  @Override
  public void start() throws Exception {
    try {
      daemon = PopfetchDaemon.start(config, trace, new PrintWriter(System.err, true));
      if (watch) {
        daemon.watchConfig(PopfetchDaemon.CONFIG_CHECK);
      }
    } catch (AccountRun.Exit e) {
      throw new IllegalStateException("popfetch cannot start (status " + e.status + ")");
    }
  }

  @Override
  public void stop() {
    if (daemon != null) {
      daemon.stop();
      daemon = null;
    }
  }

  @Override
  public void destroy() {
    stop();
  }
}
