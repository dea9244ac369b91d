package org.popfetch.testing;

import java.util.ArrayList;
import java.util.List;
import org.popfetch.net.ProtocolTrace;

/** Keeps every trace event, prefixed "C: ", "S: " or "-- ", for assertions on the conversation. */
public final class RecordingTrace implements ProtocolTrace {
  private final List<String> events = new ArrayList<>();

  @Override
  public synchronized void sent(String line) {
    events.add("C: " + line);
  }

  @Override
  public synchronized void received(String line) {
    events.add("S: " + line);
  }

  @Override
  public synchronized void note(String event) {
    events.add("-- " + event);
  }

  public synchronized List<String> events() {
    return List.copyOf(events);
  }

  public synchronized List<String> sent() {
    return events.stream().filter(e -> e.startsWith("C: ")).map(e -> e.substring(3)).toList();
  }

  public synchronized String all() {
    return String.join("\n", events);
  }
}
