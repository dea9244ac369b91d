package org.popfetch.pop3;

import java.io.IOException;
import java.time.Duration;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.testing.ScriptedServer.Conversation;

/** Shared pieces of the scripted POP3 conversations. */
final class Pop3TestSupport {
  static final Timeouts QUICK = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10));
  static final Timeouts IMPATIENT = new Timeouts(Duration.ofSeconds(5), Duration.ofMillis(700));

  private Pop3TestSupport() {}

  /** Plain connection with plaintext login allowed: for tests about commands, not TLS. */
  static Pop3Settings plain(int port) {
    return Pop3Settings.implicitTls("127.0.0.1", port)
        .withTls(TlsMode.NONE)
        .withAllowPlaintextLogin(true)
        .withTimeouts(QUICK);
  }

  static Pop3Settings tls(int port, TlsMode mode, TlsTrust trust) {
    return Pop3Settings.implicitTls("127.0.0.1", port)
        .withTls(mode)
        .withTrust(trust)
        .withTimeouts(QUICK);
  }

  /** Greeting and CAPA answered with the given capability lines. */
  static void greet(Conversation c, String... capabilities) throws IOException {
    c.send("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>");
    c.expect("CAPA");
    c.send("+OK Capability list follows");
    c.send(capabilities);
    c.send(".");
  }

  /** Greeting, CAPA and a USER/PASS login, ending in TRANSACTION state with the same CAPA. */
  static void greetAndLogin(Conversation c, String... capabilities) throws IOException {
    greet(c, capabilities);
    c.expect("USER alice");
    c.send("+OK");
    c.expect("PASS secret");
    c.send("+OK logged in");
    c.expect("CAPA");
    c.send("+OK");
    c.send(capabilities);
    c.send(".");
  }

  static void expectQuit(Conversation c) throws IOException {
    c.expect("QUIT");
    c.send("+OK bye");
  }
}
