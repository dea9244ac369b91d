package org.popfetch.net;

/**
 * Receives both directions of a protocol conversation, for {@code --trace}.
 *
 * <p>Clients hand over lines already masked: a password, a SASL payload or a token never reaches a
 * trace. Message bodies are summarised, not copied.
 */
public interface ProtocolTrace {
  ProtocolTrace NONE =
      new ProtocolTrace() {
        @Override
        public void sent(String line) {}

        @Override
        public void received(String line) {}
      };

  /** A line the client sent, without its line end. */
  void sent(String line);

  /** A line the server sent, without its line end. */
  void received(String line);

  /** Something that is not a line on the wire: TLS started, a body of n octets, and so on. */
  default void note(String event) {}
}
