package org.popfetch.agent;

import java.io.IOException;

/** How a client reaches a delivery agent: a socket the agent listens on, or a process it starts. */
public interface AgentConnector {
  /**
   * Opens a stream to an agent.
   *
   * @throws IOException with one line that says what to do (enable the agent's socket, say)
   */
  AgentLink connect() throws IOException;
}
