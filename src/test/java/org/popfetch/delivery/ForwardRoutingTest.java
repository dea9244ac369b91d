package org.popfetch.delivery;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.Incoming;
import org.popfetch.message.Envelope;
import org.popfetch.message.HeaderFields;
import org.popfetch.message.TraceHeaders;
import org.popfetch.queue.MailQueue;

/** Each recipient's copy is queued under the route its routing names for its domain. */
class ForwardRoutingTest {
  @TempDir Path dir;

  @Test
  void recipientsAreQueuedOnePerRouteTheRoutingNamesForTheirDomain() throws Exception {
    MailQueue queue = new MailQueue(dir.resolve("queue"), Clock.systemUTC());
    String wire = "From: a@x.example\r\nSubject: hi\r\n\r\nbody\r\n";
    HeaderFields.Read read = HeaderFields.read(new ByteArrayInputStream(wire.getBytes(ISO_8859_1)));
    Envelope envelope = Envelope.of(read.header(), "me@pop.example.org", Optional.empty());
    ForwardDestination forward =
        new ForwardDestination(
            queue,
            "mx",
            domain -> "by-domain:" + domain,
            List.of("a@one.example", "b@two.example", "c@one.example"));

    var staged =
        forward.stage(
            new Incoming("acct", envelope, TraceHeaders.NONE, read.header()), read.message());
    forward.commit(List.of(staged));

    Map<String, List<String>> byRoute =
        queue.entries().stream()
            .collect(Collectors.toMap(s -> s.entry().route(), s -> s.entry().pending()));
    assertThat(byRoute)
        .containsOnly(
            Map.entry("by-domain:one.example", List.of("a@one.example", "c@one.example")),
            Map.entry("by-domain:two.example", List.of("b@two.example")));
  }
}
