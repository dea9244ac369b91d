package org.popfetch.queue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;

/** A DSN parser's view of a bounce: Mime4j walks it; RFC 3464's structure must be there. */
final class DsnCheck {
  private DsnCheck() {}

  static boolean parse(String dsn) throws Exception {
    MimeTokenStream tokens = new MimeTokenStream(MimeConfig.PERMISSIVE);
    tokens.parse(new ByteArrayInputStream(dsn.getBytes(StandardCharsets.ISO_8859_1)));
    List<String> types = new ArrayList<>();
    String reportType = null;
    for (EntityState s = tokens.getState(); s != EntityState.T_END_OF_STREAM; s = tokens.next()) {
      if (s == EntityState.T_FIELD
          && reportType == null
          && tokens.getField().getName().equalsIgnoreCase("Content-Type")) {
        String body = tokens.getField().getBody();
        reportType = body.contains("report-type=delivery-status") ? "delivery-status" : "";
      }
      if (s == EntityState.T_BODY || s == EntityState.T_START_MULTIPART) {
        types.add(tokens.getBodyDescriptor().getMimeType());
      }
    }
    return "delivery-status".equals(reportType)
        && types.equals(
            List.of(
                "multipart/report",
                "text/plain",
                "message/delivery-status",
                "text/rfc822-headers"));
  }
}
