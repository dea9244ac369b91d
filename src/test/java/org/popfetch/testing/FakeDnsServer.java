package org.popfetch.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;

/**
 * A DNS server on a loopback UDP port that answers SRV queries with whatever records a test gives
 * it, including names no real server would serve (control characters in a target); every other name
 * is NXDOMAIN. For hostile answers; dnsmasq is the real peer (see the ITs).
 */
public final class FakeDnsServer implements AutoCloseable {
  private final DatagramSocket socket;
  private final Map<Name, List<Record>> answers = new ConcurrentHashMap<>();
  private final Thread thread;

  public FakeDnsServer() throws SocketException {
    socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    thread = new Thread(this::serve, "fake-dns");
    thread.setDaemon(true);
    thread.start();
  }

  /** Adds an SRV record; a target of "." says the service is not offered. */
  public FakeDnsServer srv(String service, String target, int port, int priority, int weight)
      throws TextParseException {
    Name name = Name.fromString(service + ".");
    Record r = new SRVRecord(name, DClass.IN, 0, priority, weight, port, Name.fromString(target));
    answers.computeIfAbsent(name, n -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(r);
    return this;
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
  }

  private void serve() {
    byte[] buf = new byte[4096];
    while (!socket.isClosed()) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        Message query = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
        Message reply = new Message(query.getHeader().getID());
        reply.getHeader().setFlag(Flags.QR);
        reply.getHeader().setFlag(Flags.AA);
        Record question = query.getQuestion();
        reply.addRecord(question, Section.QUESTION);
        List<Record> rs = answers.get(question.getName());
        if (rs == null) {
          reply.getHeader().setRcode(Rcode.NXDOMAIN);
        } else {
          rs.forEach(r -> reply.addRecord(r, Section.ANSWER));
        }
        byte[] wire = reply.toWire();
        socket.send(new DatagramPacket(wire, wire.length, p.getSocketAddress()));
      } catch (IOException e) {
        // closed, or a packet that is not DNS: next
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    socket.close();
    thread.join(5000);
  }
}
