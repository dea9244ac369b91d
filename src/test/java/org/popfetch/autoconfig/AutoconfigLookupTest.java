package org.popfetch.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.popfetch.pop3.TlsMode;

/** The autoconfig document from a local HTTP server: good ones, and hostile ones. */
class AutoconfigLookupTest {
  private static final EmailAddress ALICE = EmailAddress.parse("alice@example.test");

  private HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
  }

  private void serve(String path, byte[] body, String type) {
    server.createContext(
        path,
        ex -> {
          requests.add(ex.getRequestURI().toString());
          ex.getResponseHeaders().set("Content-Type", type);
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
  }

  private void serveXml(String xml) {
    serve("/mail/config-v1.1.xml", xml.getBytes(StandardCharsets.UTF_8), "text/xml");
  }

  private URI base() {
    return URI.create(
        "http://127.0.0.1:" + server.getAddress().getPort() + "/mail/config-v1.1.xml");
  }

  private Finding find(Duration timeout) {
    return new AutoconfigLookup(Optional.of(base()), timeout).find(ALICE);
  }

  private Finding find() {
    return find(Duration.ofSeconds(5));
  }

  private static String doc(String server) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<clientConfig version=\"1.1\"><emailProvider id=\"example.test\">"
        + "<domain>example.test</domain>"
        + "<incomingServer type=\"imap\"><hostname>imap.example.test</hostname><port>993</port>"
        + "<socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>"
        + server
        + "</emailProvider></clientConfig>";
  }

  @Test
  void readsThePop3ServerAndFillsInThePlaceholders() {
    serveXml(
        doc(
            "<incomingServer type=\"pop3\"><hostname>POP.Example.test</hostname><port>1110</port>"
                + "<socketType>STARTTLS</socketType><username>%EMAILLOCALPART%.%EMAILDOMAIN%"
                + "</username><authentication>password-cleartext</authentication>"
                + "</incomingServer>"));
    Suggestion s = find().suggestion().orElseThrow();
    assertThat(s.host()).isEqualTo("pop.example.test");
    assertThat(s.port()).isEqualTo(1110);
    assertThat(s.tls()).isEqualTo(TlsMode.STARTTLS);
    assertThat(s.user()).isEqualTo("alice.example.test");
    assertThat(s.oauth()).isEmpty();
    assertThat(s.source()).contains("autoconfig document http://127.0.0.1:");
    assertThat(s.warnings()).anySatisfy(w -> assertThat(w).contains("plain HTTP"));
    assertThat(requests).containsExactly("/mail/config-v1.1.xml?emailaddress=alice%40example.test");
  }

  @Test
  void oauth2AtAKnownHostGivesItsPreset() {
    serveXml(
        doc(
            "<incomingServer type=\"pop3\"><hostname>outlook.office365.com</hostname>"
                + "<port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username>"
                + "<authentication>OAuth2</authentication></incomingServer>"));
    Suggestion s = find().suggestion().orElseThrow();
    assertThat(s.tls()).isEqualTo(TlsMode.IMPLICIT);
    assertThat(s.oauth()).contains("microsoft");
  }

  @Test
  void theWellKnownLocationsAreHttpsOnTheDomainItself() {
    assertThat(new AutoconfigLookup(Optional.empty(), Duration.ofSeconds(1)).locations(ALICE))
        .containsExactly(
            URI.create(
                "https://autoconfig.example.test/mail/config-v1.1.xml"
                    + "?emailaddress=alice%40example.test"),
            URI.create("https://example.test/.well-known/autoconfig/mail/config-v1.1.xml"));
  }

  @Test
  void aDocumentWithoutPop3IsNoFinding() {
    serveXml(doc(""));
    Finding f = find();
    assertThat(f.suggestion()).isEmpty();
    assertThat(f.tried()).singleElement().asString().contains("offers no POP3 server");
  }

  @Test
  void aHugeDocumentIsRefusedUnread() {
    byte[] huge = new byte[AutoconfigLookup.MAX_BYTES * 20];
    java.util.Arrays.fill(huge, (byte) 'x');
    serve("/mail/config-v1.1.xml", huge, "text/xml");
    Finding f = find();
    assertThat(f.suggestion()).isEmpty();
    assertThat(f.tried()).singleElement().asString().contains("larger than 65536 bytes");
  }

  @Test
  void garbledXmlIsAClearLineNotACrash() {
    serveXml("<clientConfig><incomingServer type=\"pop3\"><hostname>a\u0001</hostn");
    Finding f = find();
    assertThat(f.suggestion()).isEmpty();
    assertThat(f.tried()).singleElement().asString().contains("not a usable XML document");
  }

  @Test
  void aDtdWithAnExternalEntityIsRefusedAndTheEntityNeverFetched() {
    String port = String.valueOf(server.getAddress().getPort());
    serve("/secret", "pop.attacker.test".getBytes(StandardCharsets.UTF_8), "text/plain");
    serveXml(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE clientConfig [<!ENTITY h SYSTEM"
            + " \"http://127.0.0.1:"
            + port
            + "/secret\"><!ENTITY f SYSTEM \"file:///etc/passwd\">]>\n"
            + doc("<incomingServer type=\"pop3\"><hostname>&h;</hostname><port>995</port>"
                    + "<socketType>SSL</socketType><username>&f;</username></incomingServer>")
                .replaceFirst("<\\?xml[^>]*>\n", ""));
    Finding f = find();
    assertThat(f.suggestion()).isEmpty();
    assertThat(f.tried()).singleElement().asString().contains("DOCTYPE");
    assertThat(requests).noneMatch(r -> r.startsWith("/secret"));
  }

  @Test
  void aHostnameWithControlCharactersIsRefusedEscaped() {
    serveXml(
        doc(
            "<incomingServer type=\"pop3\"><hostname>pop&#x9b;2J&#x202e;.example.test</hostname>"
                + "<port>995</port><socketType>SSL</socketType></incomingServer>"));
    Finding f = find();
    assertThat(f.suggestion()).isEmpty();
    assertThat(f.tried())
        .singleElement()
        .asString()
        .contains("hostname is not a host name", "pop\\x9b2j\\u202e.example.test")
        .doesNotContain("\u009b", "\u202e");
  }

  @Test
  void aBadPortOrSocketTypeIsRefused() {
    serveXml(
        doc(
            "<incomingServer type=\"pop3\"><hostname>pop.example.test</hostname>"
                + "<port>99999999999</port><socketType>SSL</socketType></incomingServer>"));
    assertThat(find().tried()).singleElement().asString().contains("port is not a port number");
  }

  @Test
  void aServerThatStallsCostsAtMostTheTimeout() {
    server.createContext(
        "/mail/config-v1.1.xml",
        (HttpExchange ex) -> {
          ex.sendResponseHeaders(200, 0);
          ex.getResponseBody().write("<clientConfig>".getBytes(StandardCharsets.UTF_8));
          ex.getResponseBody().flush();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ex.close();
        });
    long start = System.nanoTime();
    Finding f = find(Duration.ofSeconds(1));
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(f.suggestion()).isEmpty();
    assertThat(f.tried()).singleElement().asString().contains("no complete answer within 1s");
    assertThat(took).isLessThan(5000);
  }

  @Test
  void notFoundIsALine() {
    Finding f = find();
    assertThat(f.suggestion()).isEmpty();
    assertThat(f.tried()).singleElement().asString().contains("HTTP status 404");
  }
}
