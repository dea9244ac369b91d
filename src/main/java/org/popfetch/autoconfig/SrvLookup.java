package org.popfetch.autoconfig;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.popfetch.net.LogText;
import org.popfetch.pop3.TlsMode;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * RFC 6186 SRV records as updated by RFC 8314: {@code _pop3s._tcp} (implicit TLS) first, then
 * {@code _pop3._tcp} (STLS). Of the answers the lowest priority wins and, among equals, the highest
 * weight, as mpop does: one deterministic answer to write into a configuration, not RFC 2782's
 * random pick. A target of "." means the service is not offered.
 */
public final class SrvLookup {
  private final Resolver resolver;

  /**
   * @param server the DNS server to ask (host:port); empty: the system's
   * @param timeout for each query
   */
  public SrvLookup(Optional<InetSocketAddress> server, Duration timeout)
      throws UnknownHostException {
    SimpleResolver r = server.isPresent() ? new SimpleResolver(server.get()) : new SimpleResolver();
    r.setTimeout(timeout);
    this.resolver = r;
  }

  /** Asks for {@code _pop3s._tcp.DOMAIN}, then {@code _pop3._tcp.DOMAIN}. Never throws. */
  public Finding find(EmailAddress address) {
    List<String> tried = new ArrayList<>();
    boolean notOffered = false;
    for (TlsMode tls : List.of(TlsMode.IMPLICIT, TlsMode.STARTTLS)) {
      String service = (tls == TlsMode.IMPLICIT ? "_pop3s" : "_pop3") + "._tcp." + address.domain();
      Answer a = query(service);
      tried.add("SRV " + service + ": " + a.said());
      notOffered |= a.notOffered();
      if (a.best().isPresent()) {
        SRVRecord r = a.best().get();
        String host = r.getTarget().toString(true);
        List<String> warnings = new ArrayList<>();
        if (!HostNames.within(host, address.domain())) {
          warnings.add(
              "the host "
                  + host
                  + " does not match the mail domain "
                  + address.domain()
                  + "; DNS can be spoofed: please check it is your provider's");
        }
        String source =
            "DNS SRV "
                + service
                + " (priority "
                + r.getPriority()
                + ", weight "
                + r.getWeight()
                + ", RFC 6186)";
        return new Finding(
            Optional.of(
                new Suggestion(
                    host,
                    r.getPort(),
                    tls,
                    address.toString(),
                    Optional.empty(),
                    source,
                    warnings)),
            tried,
            false);
      }
    }
    return new Finding(Optional.empty(), tried, notOffered);
  }

  private record Answer(Optional<SRVRecord> best, String said, boolean notOffered) {}

  private Answer query(String service) {
    Lookup lookup;
    try {
      lookup = new Lookup(Name.fromString(service + "."), Type.SRV);
    } catch (TextParseException e) {
      return new Answer(Optional.empty(), "not a DNS name", false);
    }
    lookup.setResolver(resolver);
    lookup.setCache(null);
    Record[] records = lookup.run();
    if (lookup.getResult() != Lookup.SUCCESSFUL || records == null) {
      return new Answer(
          Optional.empty(), "none (" + LogText.sanitize(lookup.getErrorString()) + ")", false);
    }
    List<SRVRecord> usable = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    boolean root = false;
    for (Record rec : records) {
      if (!(rec instanceof SRVRecord srv)) {
        continue;
      }
      if (srv.getTarget().equals(Name.root)) {
        root = true;
        continue;
      }
      // toString escapes what is not printable (\DDD); a name that needs escaping is no host.
      String target = srv.getTarget().toString(true);
      if (!HostNames.isHostName(target) || srv.getPort() == 0) {
        refused.add(LogText.sanitize(target, 100) + ":" + srv.getPort());
        continue;
      }
      usable.add(srv);
    }
    usable.sort(
        Comparator.comparingInt(SRVRecord::getPriority)
            .thenComparing(Comparator.comparingInt(SRVRecord::getWeight).reversed())
            .thenComparing(r -> r.getTarget().toString()));
    String note = refused.isEmpty() ? "" : "; refused, not a host name or port: " + refused;
    if (!usable.isEmpty()) {
      SRVRecord b = usable.get(0);
      return new Answer(
          Optional.of(b), b.getTarget().toString(true) + ":" + b.getPort() + note, false);
    }
    if (root) {
      return new Answer(
          Optional.empty(), "\".\": the domain says it does not offer it" + note, true);
    }
    return new Answer(Optional.empty(), "no usable record" + note, false);
  }
}
