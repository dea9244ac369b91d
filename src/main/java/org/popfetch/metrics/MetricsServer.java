package org.popfetch.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** /metrics (Prometheus text) and /health (200 or 503) on the configured address. */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;

  public MetricsServer(InetSocketAddress listen, PopfetchMetrics metrics) throws IOException {
    server = HttpServer.create(listen, 16);
    server.createContext(
        "/metrics",
        ex -> reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
    server.createContext(
        "/health",
        ex -> {
          PopfetchMetrics.Health h = metrics.health();
          reply(ex, h.ok() ? 200 : 503, "text/plain; charset=utf-8", h.text());
        });
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "metrics-http");
              t.setDaemon(true);
              return t;
            }));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void reply(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
