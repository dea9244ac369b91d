package org.popfetch.agent;

import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;

/** One open stream to a delivery agent. Closing it is safe from any thread, more than once. */
public interface AgentLink extends Closeable {
  InputStream in();

  OutputStream out();

  @Override
  void close();
}
