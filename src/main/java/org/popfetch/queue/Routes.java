package org.popfetch.queue;

import java.util.Map;
import java.util.Optional;

/**
 * The routes a queue runner sends through, found by the route id each queue file carries. The one
 * place such an id is read back: ids are written by the configured routes themselves (a smarthost's
 * "smtp:host:port", an LMTP server's "lmtp:host:port"), and direct delivery writes "mx:" and the
 * recipient domain, which is sent with the settings of the route "mx".
 */
record Routes(Map<String, QueueRunner.Route> byId) {
  private static final String MX = "mx";
  private static final String MX_DOMAIN = MX + ":";

  Routes {
    byId = Map.copyOf(byId);
  }

  /** A route found for an id, and for direct delivery the domain whose MX hosts to reach. */
  record Found(QueueRunner.Route route, Optional<String> mxDomain) {}

  /** The route queue files with this id go by; empty if no such route is configured now. */
  Optional<Found> find(String id) {
    QueueRunner.Route route = byId.get(id);
    if (route != null) {
      return Optional.of(new Found(route, Optional.empty()));
    }
    if (id.startsWith(MX_DOMAIN) && byId.containsKey(MX)) {
      return Optional.of(new Found(byId.get(MX), Optional.of(id.substring(MX_DOMAIN.length()))));
    }
    return Optional.empty();
  }
}
