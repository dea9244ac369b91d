package org.popfetch.autoconfig;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.popfetch.net.LogText;
import org.popfetch.pop3.TlsMode;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads the POP3 server out of a Thunderbird autoconfig document ({@code clientConfig} version
 * 1.1): the first {@code <incomingServer type="pop3">}, its hostname, port, socketType, username
 * (with %EMAILADDRESS%, %EMAILLOCALPART%, %EMAILDOMAIN% filled in) and authentication methods. The
 * parser refuses any DOCTYPE, so no entity, external or expanding, is ever read.
 */
public final class AutoconfigDocument {
  private AutoconfigDocument() {}

  /** The POP3 server a document gives. */
  public record Pop3Server(
      String host, int port, TlsMode tls, String user, List<String> authentication) {}

  /**
   * Parses a document.
   *
   * @return empty when the document is well formed but offers no POP3 server
   * @throws IllegalArgumentException when it is not XML, has a DOCTYPE, or its POP3 server has a
   *     host, port, socket type or user that cannot be used; the message says which, escaped
   */
  public static Optional<Pop3Server> parse(byte[] xml, EmailAddress address) {
    Document doc;
    try {
      DocumentBuilder builder = factory().newDocumentBuilder();
      builder.setErrorHandler(new DefaultHandler()); // no parser chatter on stderr
      doc = builder.parse(new ByteArrayInputStream(xml));
    } catch (SAXException | IOException e) {
      throw new IllegalArgumentException(
          "not a usable XML document: " + LogText.sanitize(String.valueOf(e.getMessage()), 200));
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
    Element root = doc.getDocumentElement();
    if (!"clientConfig".equals(root.getTagName())) {
      throw new IllegalArgumentException(
          "not an autoconfig document: its root is <"
              + LogText.sanitize(root.getTagName(), 60)
              + ">, not <clientConfig>");
    }
    NodeList servers = root.getElementsByTagName("incomingServer");
    for (int i = 0; i < servers.getLength(); i++) {
      Element s = (Element) servers.item(i);
      if ("pop3".equalsIgnoreCase(s.getAttribute("type"))) {
        return Optional.of(server(s, address));
      }
    }
    return Optional.empty();
  }

  private static Pop3Server server(Element s, EmailAddress address) {
    String host = text(s, "hostname").toLowerCase(Locale.ROOT);
    if (!HostNames.isHostName(host)) {
      throw new IllegalArgumentException("hostname is not a host name: " + shown(host));
    }
    String portText = text(s, "port");
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port is not a port number: " + shown(portText));
    }
    String socket = text(s, "socketType");
    TlsMode tls =
        switch (socket.toUpperCase(Locale.ROOT)) {
          case "SSL", "TLS" -> TlsMode.IMPLICIT;
          case "STARTTLS" -> TlsMode.STARTTLS;
          case "PLAIN" -> TlsMode.NONE;
          default ->
              throw new IllegalArgumentException(
                  "socketType is not SSL, STARTTLS or plain: " + shown(socket));
        };
    String user =
        text(s, "username")
            .replace("%EMAILADDRESS%", address.toString())
            .replace("%EMAILLOCALPART%", address.localPart())
            .replace("%EMAILDOMAIN%", address.domain());
    if (user.isEmpty()) {
      user = address.toString();
    }
    if (user.length() > 256 || user.chars().anyMatch(c -> c < ' ' || c == 0x7f)) {
      throw new IllegalArgumentException("username is not a login name: " + shown(user));
    }
    List<String> auth = new ArrayList<>();
    NodeList children = s.getChildNodes();
    for (int i = 0; i < children.getLength() && auth.size() < 10; i++) {
      Node n = children.item(i);
      if (n instanceof Element e && "authentication".equals(e.getTagName())) {
        auth.add(LogText.sanitize(e.getTextContent().strip(), 40));
      }
    }
    return new Pop3Server(host, port, tls, user, auth);
  }

  /** The text of the server's first direct child of that name, stripped; empty if none. */
  private static String text(Element parent, String name) {
    NodeList children = parent.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element e && name.equals(e.getTagName())) {
        return e.getTextContent().strip();
      }
    }
    return "";
  }

  private static String shown(String text) {
    return "\"" + LogText.sanitize(text, 100) + "\"";
  }

  private static DocumentBuilderFactory factory() throws ParserConfigurationException {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    f.setFeature("http://xml.org/sax/features/external-general-entities", false);
    f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    f.setXIncludeAware(false);
    f.setExpandEntityReferences(false);
    f.setNamespaceAware(false);
    return f;
  }
}
