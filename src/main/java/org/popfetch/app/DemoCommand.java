package org.popfetch.app;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.MailboxStatus;
import org.popfetch.pop3.Pop3Client;
import org.popfetch.pop3.Pop3Exception;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.pop3.TlsMode;
import org.popfetch.pop3.UidListing;
import org.popfetch.sasl.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code popfetch demo}: a whole POP3 session against an embedded sample server. */
@Command(
    name = "demo",
    description = "Start an embedded sample POP3 server and fetch its mail with popfetch's client.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--trace", description = "Show the protocol conversation (passwords masked).")
  boolean trace;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    try (DemoServer server = DemoServer.start()) {
      out.printf("Embedded POP3 server on 127.0.0.1:%d with %d sample messages.%n", server.port(), DemoServer.SAMPLES.size());
      // Loopback only, so plaintext login is allowed here; a real account gets TLS by default.
      Pop3Settings settings =
          Pop3Settings.implicitTls("127.0.0.1", server.port())
              .withTls(TlsMode.NONE)
              .withAllowPlaintextLogin(true);
      ProtocolTrace protocolTrace = trace ? new PrintingTrace(out) : ProtocolTrace.NONE;
      Pop3Client client = Pop3Client.connect(settings, protocolTrace);
      try {
        client.login(new Credentials.Password(DemoServer.USER, DemoServer.PASSWORD), AuthMethod.AUTO);
        MailboxStatus status = client.stat();
        out.printf("Logged in as %s: %d messages, %d octets.%n", DemoServer.USER, status.messages(), status.octets());
        Map<Integer, String> uids = new TreeMap<>();
        for (UidListing u : client.uidl()) {
          uids.put(u.number(), u.uid());
        }
        List<long[]> sizes = new ArrayList<>();
        client.retr(List.copyOf(uids.keySet()), (n, body) -> sizes.add(new long[] {n, body.transferTo(OutputStream.nullOutputStream())}));
        for (long[] s : sizes) {
          out.printf("  #%d  uid %-40s %7d octets retrieved%n", s[0], uids.get((int) s[0]), s[1]);
        }
        client.quit();
        out.printf("Retrieved %d messages; nothing was deleted (demo).%n", sizes.size());
      } catch (Pop3Exception e) {
        client.close();
        out.println("popfetch: " + e.getMessage());
        return 1;
      }
    }
    out.flush();
    return 0;
  }

  /** Prints the trace to the terminal, as {@code --trace} does. */
  private record PrintingTrace(PrintWriter out) implements ProtocolTrace {
    @Override
    public void sent(String line) {
      out.println("  C: " + org.popfetch.net.LogText.sanitize(line));
    }

    @Override
    public void received(String line) {
      out.println("  S: " + org.popfetch.net.LogText.sanitize(line));
    }

    @Override
    public void note(String event) {
      out.println("  -- " + event);
    }
  }
}
