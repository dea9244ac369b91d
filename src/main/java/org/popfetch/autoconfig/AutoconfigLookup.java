package org.popfetch.autoconfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.popfetch.net.LogText;

/**
 * The domain's Thunderbird autoconfig document, at the two locations the domain itself serves:
 * {@code https://autoconfig.DOMAIN/mail/config-v1.1.xml?emailaddress=ADDRESS}, then {@code
 * https://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml}. HTTPS with the system's certificate
 * checks; each download is bounded in size and in total time, so a server that stalls or sends
 * without end costs at most the timeout.
 */
public final class AutoconfigLookup {
  /** Real documents are a few kilobytes. */
  public static final int MAX_BYTES = 64 * 1024;

  private final Optional<URI> override;
  private final Duration timeout;
  private final int maxBytes;

  /**
   * @param override one URL to ask instead of the two well-known ones (for split setups and tests);
   *     the address is added as {@code emailaddress=} to its query; it may be plain HTTP
   * @param timeout for each download, from connect to the last byte
   */
  public AutoconfigLookup(Optional<URI> override, Duration timeout) {
    this(override, timeout, MAX_BYTES);
  }

  AutoconfigLookup(Optional<URI> override, Duration timeout, int maxBytes) {
    this.override = override;
    this.timeout = timeout;
    this.maxBytes = maxBytes;
  }

  /** The URLs asked for this address, in order. */
  public List<URI> locations(EmailAddress address) {
    String q = "emailaddress=" + URLEncoder.encode(address.toString(), StandardCharsets.UTF_8);
    if (override.isPresent()) {
      String u = override.get().toString();
      return List.of(URI.create(u + (u.contains("?") ? "&" : "?") + q));
    }
    return List.of(
        URI.create("https://autoconfig." + address.domain() + "/mail/config-v1.1.xml?" + q),
        URI.create("https://" + address.domain() + "/.well-known/autoconfig/mail/config-v1.1.xml"));
  }

  /** Asks each location in turn until one gives a POP3 server. Never throws. */
  public Finding find(EmailAddress address) {
    List<String> tried = new ArrayList<>();
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NORMAL) // never from https down to http
            .build();
    for (URI uri : locations(address)) {
      String shown = LogText.sanitize(uri.toString(), 200);
      byte[] body;
      try {
        body = download(client, uri);
      } catch (IOException e) {
        tried.add("autoconfig " + shown + ": " + LogText.sanitize(e.getMessage(), 200));
        continue;
      }
      Optional<AutoconfigDocument.Pop3Server> server;
      try {
        server = AutoconfigDocument.parse(body, address);
      } catch (IllegalArgumentException e) {
        tried.add("autoconfig " + shown + ": " + e.getMessage());
        continue;
      }
      if (server.isEmpty()) {
        tried.add("autoconfig " + shown + ": the document offers no POP3 server");
        continue;
      }
      AutoconfigDocument.Pop3Server s = server.get();
      tried.add("autoconfig " + shown + ": " + s.host() + ":" + s.port());
      List<String> warnings = new ArrayList<>();
      if (!"https".equals(uri.getScheme())) {
        warnings.add("the document came over plain HTTP: anyone on the way could have changed it");
      }
      Optional<String> oauth = Optional.empty();
      if (s.authentication().stream().anyMatch(a -> a.equalsIgnoreCase("OAuth2"))) {
        oauth = ProviderTable.oauthProviderOf(s.host());
        if (oauth.isEmpty()) {
          warnings.add(
              "the provider names OAuth2 ("
                  + String.join(", ", s.authentication())
                  + "); popfetch's oauth presets are google and microsoft");
        }
      }
      return new Finding(
          Optional.of(
              new Suggestion(
                  s.host(),
                  s.port(),
                  s.tls(),
                  s.user(),
                  oauth,
                  "autoconfig document " + shown,
                  warnings)),
          tried,
          false);
    }
    return Finding.none(tried);
  }

  private byte[] download(HttpClient client, URI uri) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Accept", "application/xml, text/xml")
            .GET()
            .build();
    CompletableFuture<HttpResponse<byte[]>> future =
        client.sendAsync(request, info -> new BoundedBody(maxBytes));
    HttpResponse<byte[]> response;
    try {
      response = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new IOException("no complete answer within " + timeout.toSeconds() + "s");
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String why =
          cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      throw new IOException(why);
    }
    if (response.statusCode() != 200) {
      throw new IOException("HTTP status " + response.statusCode());
    }
    String type = response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    if (type.startsWith("text/html")) {
      throw new IOException("an HTML page, not an autoconfig document");
    }
    return response.body();
  }

  /** Collects a body up to a limit; beyond it, stops reading and fails. */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int max;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    BoundedBody(int max) {
      this.max = max;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : buffers) {
        if (bytes.size() + b.remaining() > max) {
          subscription.cancel();
          result.completeExceptionally(
              new IOException("larger than " + max + " bytes: not an autoconfig document"));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(bytes.toByteArray());
    }
  }
}
