package org.popfetch.smtp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Where mail for a domain goes (RFC 5321 section 5.1): its MX hosts in order of preference, or,
 * with no MX record, the domain itself (its A/AAAA records). A "null MX" (RFC 7505, a single MX of
 * ".") means the domain takes no mail.
 */
public final class MxResolver {
  private final Resolver resolver;

  /**
   * @param server the DNS server to ask (host:port); empty: the system's
   */
  public MxResolver(Optional<InetSocketAddress> server, Duration timeout)
      throws UnknownHostException {
    SimpleResolver r = server.isPresent() ? new SimpleResolver(server.get()) : new SimpleResolver();
    r.setTimeout(timeout);
    this.resolver = r;
  }

  /** The outcome of a lookup. */
  public sealed interface Result {
    /** Hosts to try, best first. */
    record Hosts(List<String> hosts) implements Result {}

    /** The domain says it takes no mail (null MX), or does not exist: a permanent failure. */
    record NoMail(String why) implements Result {}

    /** The DNS could not answer now: try again later. */
    record TryLater(String why) implements Result {}
  }

  /** The host's addresses (A, then AAAA) through the same resolver; empty if it has none. */
  public List<InetAddress> addresses(String host) {
    List<InetAddress> out = new ArrayList<>();
    for (int type : new int[] {Type.A, Type.AAAA}) {
      try {
        Lookup l = new Lookup(Name.fromString(host.endsWith(".") ? host : host + "."), type);
        l.setResolver(resolver);
        l.setCache(null);
        Record[] rs = l.run();
        if (rs != null) {
          for (Record r : rs) {
            if (r instanceof ARecord a) {
              out.add(a.getAddress());
            } else if (r instanceof AAAARecord a) {
              out.add(a.getAddress());
            }
          }
        }
      } catch (TextParseException e) {
        return List.of();
      }
    }
    return out;
  }

  public Result lookup(String domain) {
    Lookup lookup;
    try {
      lookup = new Lookup(Name.fromString(domain.endsWith(".") ? domain : domain + "."), Type.MX);
    } catch (TextParseException e) {
      return new Result.NoMail("not a domain name: " + domain);
    }
    lookup.setResolver(resolver);
    lookup.setCache(null);
    Record[] records = lookup.run();
    switch (lookup.getResult()) {
      case Lookup.SUCCESSFUL -> {
        List<MXRecord> mx = new ArrayList<>();
        Arrays.stream(records)
            .filter(r -> r instanceof MXRecord)
            .forEach(r -> mx.add((MXRecord) r));
        mx.sort(
            Comparator.comparingInt(MXRecord::getPriority)
                .thenComparing(r -> r.getTarget().toString()));
        if (mx.size() == 1 && mx.get(0).getTarget().equals(Name.root)) {
          return new Result.NoMail(domain + " publishes a null MX: it accepts no mail (RFC 7505)");
        }
        List<String> hosts = new ArrayList<>();
        for (MXRecord r : mx) {
          String t = r.getTarget().toString(true);
          if (!t.isEmpty()) {
            hosts.add(t);
          }
        }
        return new Result.Hosts(hosts);
      }
      case Lookup.TYPE_NOT_FOUND -> {
        return new Result.Hosts(List.of(domain)); // no MX: the domain's own address (implicit MX)
      }
      case Lookup.HOST_NOT_FOUND -> {
        return new Result.NoMail(domain + " does not exist (NXDOMAIN)");
      }
      default -> {
        return new Result.TryLater(
            "DNS lookup of " + domain + " failed: " + lookup.getErrorString());
      }
    }
  }
}
