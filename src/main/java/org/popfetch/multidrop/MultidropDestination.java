package org.popfetch.multidrop;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.popfetch.delivery.PipeDestination;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.DeliveryLedger;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.fetch.MessageProgress;
import org.popfetch.message.Addresses;
import org.popfetch.message.Envelope;
import org.popfetch.message.Recipients;
import org.popfetch.message.TraceHeaders;
import org.popfetch.net.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A multidrop mailbox's destination: each message goes once to each local user it is for, at that
 * user's own destination; a message for nobody goes to the postmaster (a user, or the account's own
 * destination).
 *
 * <p>Mailboxes are staged first and programs last, so that a mailbox that fails costs no program a
 * copy. Each user's copy is recorded in the message's {@link MessageProgress} as soon as it is
 * durable: a program's when it has exited 0 (at staging), a mailbox's when its destination's commit
 * returns. A message tried again after a partial failure goes only to the users not recorded.
 *
 * <p>Not given to a user: a message that carries this host's {@code Delivered-To:} for that user (a
 * loop, logged); one whose Message-ID that user was given earlier in this poll (a copy the provider
 * put in the mailbox per recipient); with the dedupe across accounts, one whose Message-ID the
 * ledger says the user was given within the window. A message left for nobody is done.
 *
 * <p>One instance serves one poll (it remembers the poll's Message-IDs).
 */
public final class MultidropDestination implements Destination {
  private static final Logger LOG = LoggerFactory.getLogger(MultidropDestination.class);

  /** The longest Message-ID compared; a longer one is not used to suppress anything. */
  static final int MAX_MESSAGE_ID = 998;

  private final RecipientMap map;
  private final List<Recipients.EnvelopeHeader> envelope;
  private final Map<String, Destination> users;
  private final Optional<String> postmaster;
  private final Destination fallback;
  private final Path spoolDir;
  private final String localHost;
  private final DeliveryLedger ledger;
  private final Optional<Duration> dedupeAcrossAccounts;
  private final Clock clock;
  private final Set<String> givenThisPoll = new HashSet<>();
  private final byte[] buffer = new byte[64 * 1024];
  private boolean purged;

  /**
   * @param users each local user's destination, by name (lower case)
   * @param postmaster the user that gets what is for nobody; empty: {@code fallback}
   * @param fallback the account's own destination
   * @param localHost this host's name, for the Delivered-To field written and looked for
   * @param ledger where Message-IDs given are remembered across accounts
   * @param dedupeAcrossAccounts how long they are remembered; empty: not at all
   */
  public MultidropDestination(
      RecipientMap map,
      List<Recipients.EnvelopeHeader> envelope,
      Map<String, Destination> users,
      Optional<String> postmaster,
      Destination fallback,
      Path spoolDir,
      String localHost,
      DeliveryLedger ledger,
      Optional<Duration> dedupeAcrossAccounts,
      Clock clock) {
    this.map = map;
    this.envelope = List.copyOf(envelope);
    this.users = Map.copyOf(users);
    this.postmaster = postmaster;
    this.fallback = fallback;
    this.spoolDir = spoolDir;
    this.localHost = hostToken(localHost);
    this.ledger = ledger;
    this.dedupeAcrossAccounts = dedupeAcrossAccounts;
    this.clock = clock;
  }

  @Override
  public String describe() {
    return "multidrop to " + users.size() + " user(s), else " + fallback.describe();
  }

  /** One user's (or the postmaster's) share of a message. */
  private record Part(
      String key,
      String user,
      Destination destination,
      Incoming message,
      MessageProgress progress,
      Optional<String> messageId) {}

  /** A message as staged at its parts; a part already durable (a program) is marked so. */
  private record Fanned(List<Part> parts, List<Staged> staged, List<Boolean> durable)
      implements Staged {
    @Override
    public long size() {
      return staged.stream().mapToLong(Staged::size).max().orElse(0);
    }
  }

  @Override
  public Staged stage(Incoming message, InputStream wireBody) throws DeliveryException {
    List<Part> parts = parts(message);
    if (parts.isEmpty()) {
      drain(wireBody);
      return new Fanned(List.of(), List.of(), List.of());
    }
    parts.sort(
        (a, b) ->
            Boolean.compare(
                a.destination() instanceof PipeDestination,
                b.destination() instanceof PipeDestination));
    List<Staged> staged = new ArrayList<>();
    List<Boolean> durable = new ArrayList<>();
    Path copy = parts.size() > 1 ? spool(wireBody) : null;
    try {
      for (Part p : parts) {
        Staged s;
        if (copy == null) {
          s = p.destination().stage(p.message(), wireBody);
        } else {
          try (InputStream in = Files.newInputStream(copy)) {
            s = p.destination().stage(p.message(), in);
          }
        }
        staged.add(s);
        boolean program = p.destination() instanceof PipeDestination;
        durable.add(program);
        if (program) {
          // The program has it now, whatever becomes of the others.
          delivered(p);
        }
      }
    } catch (IOException e) {
      for (int i = 0; i < staged.size(); i++) {
        parts.get(i).destination().discard(List.of(staged.get(i)));
      }
      if (e instanceof DeliveryException d) {
        throw d;
      }
      throw DeliveryException.deferred("cannot read back " + copy + ": " + e.getMessage(), e);
    } finally {
      if (copy != null) {
        try {
          Files.deleteIfExists(copy);
        } catch (IOException ignored) {
          // a private scratch file
        }
      }
    }
    for (Part p : parts) {
      p.messageId().ifPresent(id -> givenThisPoll.add(id + '\0' + p.user()));
    }
    return new Fanned(parts, staged, durable);
  }

  /** Whom the message is for, less those who have it or must not get it. */
  private List<Part> parts(Incoming message) throws DeliveryException {
    Recipients.Found found = Recipients.of(message.header(), envelope);
    List<RecipientMap.Local> locals = map.users(found.addresses(), found.fromEnvelope());
    Optional<String> messageId = messageId(message);
    List<Part> parts = new ArrayList<>();
    if (locals.isEmpty()) {
      if (postmaster.isEmpty()) {
        LOG.info(
            "{}: message for no local user ({} from {}); to the account's destination",
            message.account(),
            found.addresses().isEmpty() ? "no address" : found.addresses().size() + " address(es)",
            found.source());
        MessageProgress progress = message.progress();
        if (progress.isDone("postmaster")) {
          return parts;
        }
        parts.add(
            new Part(
                "postmaster",
                "",
                fallback,
                message.forPart(
                    message.envelope(), message.trace(), progress.within("postmaster/")),
                progress,
                Optional.empty()));
        return parts;
      }
      LOG.info(
          "{}: message for no local user ({}); to the postmaster {}",
          message.account(),
          found.source(),
          postmaster.get());
      locals = List.of(new RecipientMap.Local(postmaster.get(), message.envelope().recipient()));
    }
    Set<String> loopsTo = deliveredTo(message);
    for (RecipientMap.Local local : locals) {
      String user = local.user();
      String key = "user " + user;
      if (loopsTo.contains(user + "@" + localHost)) {
        LOG.warn(
            "{}: message {} already carries Delivered-To: {}@{}: a mail loop; not delivered to"
                + " {} again",
            message.account(),
            messageId.map(LogText::sanitize).orElse("without Message-ID"),
            user,
            localHost,
            user);
        continue;
      }
      if (message.progress().isDone(key)) {
        messageId.ifPresent(id -> givenThisPoll.add(id + '\0' + user));
        continue; // a poll before this one delivered it there
      }
      if (messageId.isPresent() && givenThisPoll.contains(messageId.get() + '\0' + user)) {
        LOG.info(
            "{}: message {} was delivered to {} earlier in this poll; not again",
            message.account(),
            LogText.sanitize(messageId.get()),
            user);
        continue;
      }
      if (messageId.isPresent() && deliveredAcrossAccounts(messageId.get(), user)) {
        LOG.info(
            "{}: message {} was delivered to {} before (dedupe across accounts); not again",
            message.account(),
            LogText.sanitize(messageId.get()),
            user);
        continue;
      }
      parts.add(
          new Part(
              key,
              user,
              users.get(user),
              message.forPart(
                  new Envelope(message.envelope().sender(), local.address()),
                  deliveredTo(message.trace(), user + "@" + localHost),
                  message.progress().within(key + "/")),
              message.progress(),
              messageId));
    }
    return parts;
  }

  private boolean deliveredAcrossAccounts(String messageId, String user) throws DeliveryException {
    if (dedupeAcrossAccounts.isEmpty()) {
      return false;
    }
    Instant now = clock.instant();
    try {
      if (!purged) {
        ledger.purgeDelivered(now.minus(dedupeAcrossAccounts.get()));
        purged = true;
      }
      return ledger.delivered(messageId, user, now.minus(dedupeAcrossAccounts.get()));
    } catch (IOException e) {
      throw DeliveryException.deferred(
          "cannot read the Message-IDs delivered before: " + e.getMessage(), e);
    }
  }

  /** Records that a part is durable: for a retry, and for the dedupe across accounts. */
  private void delivered(Part p) throws DeliveryException {
    p.progress().done(p.key());
    if (dedupeAcrossAccounts.isPresent() && p.messageId().isPresent() && !p.user().isEmpty()) {
      try {
        ledger.recordDelivered(p.messageId().get(), p.user(), clock.instant());
      } catch (IOException e) {
        // Only the dedupe is weaker for it: the message is delivered.
        LOG.warn("cannot record a delivered Message-ID: {}", LogText.sanitize(e.getMessage()));
      }
    }
  }

  @Override
  public void commit(List<Staged> batch) throws DeliveryException {
    Map<Destination, List<Staged>> byDestination = new IdentityHashMap<>();
    List<Destination> destinations = new ArrayList<>();
    for (Staged s : batch) {
      Fanned f = (Fanned) s;
      for (int i = 0; i < f.parts().size(); i++) {
        if (f.durable().get(i)) {
          continue;
        }
        Destination d = f.parts().get(i).destination();
        if (!byDestination.containsKey(d)) {
          byDestination.put(d, new ArrayList<>());
          destinations.add(d);
        }
        byDestination.get(d).add(f.staged().get(i));
      }
    }
    for (Destination d : destinations) {
      d.commit(byDestination.get(d));
      // Durable there: a failure of a later destination must not give these users a second copy.
      for (Staged s : batch) {
        Fanned f = (Fanned) s;
        for (int i = 0; i < f.parts().size(); i++) {
          Part p = f.parts().get(i);
          if (!f.durable().get(i) && p.destination() == d) {
            delivered(p);
          }
        }
      }
    }
  }

  @Override
  public void discard(List<Staged> batch) {
    for (Staged s : batch) {
      Fanned f = (Fanned) s;
      for (int i = 0; i < f.parts().size(); i++) {
        if (!f.durable().get(i)) {
          f.parts().get(i).destination().discard(List.of(f.staged().get(i)));
        }
      }
    }
  }

  /** The Message-ID as written, trimmed; empty if there is none or it is too long. */
  private static Optional<String> messageId(Incoming message) {
    return message
        .header()
        .first("Message-ID")
        .map(String::strip)
        .filter(id -> !id.isEmpty() && id.length() <= MAX_MESSAGE_ID);
  }

  /** The addresses of the message's Delivered-To fields, lower case. */
  private static Set<String> deliveredTo(Incoming message) {
    Set<String> out = new HashSet<>();
    for (String body : message.header().raw("Delivered-To")) {
      for (String a : Addresses.parse(body)) {
        out.add(a.toLowerCase(Locale.ROOT));
      }
    }
    return out;
  }

  /** The trace with its Delivered-To naming the user here; none if the trace has none. */
  private static TraceHeaders deliveredTo(TraceHeaders trace, String address) {
    List<String> fields = new ArrayList<>();
    for (String f : trace.fields()) {
      fields.add(f.regionMatches(true, 0, "Delivered-To:", 0, 13) ? "Delivered-To: " + address : f);
    }
    return new TraceHeaders(fields);
  }

  /** This host's name as one lower-case token: it goes into a header field. */
  private static String hostToken(String host) {
    StringBuilder sb = new StringBuilder();
    for (char c : host.toLowerCase(Locale.ROOT).toCharArray()) {
      if (sb.length() >= 200) {
        break;
      }
      sb.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ? c : '_');
    }
    return sb.length() == 0 ? "localhost" : sb.toString();
  }

  private void drain(InputStream in) throws DeliveryException {
    try {
      while (in.read(buffer, 0, buffer.length) > 0) {
        // nobody gets it; the caller counts it as done
      }
    } catch (IOException e) {
      throw DeliveryException.deferred("cannot read the message: " + e.getMessage(), e);
    }
  }

  private Path spool(InputStream wire) throws DeliveryException {
    try {
      Files.createDirectories(
          spoolDir,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path copy =
          Files.createTempFile(
              spoolDir,
              "multidrop-",
              ".eml",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (OutputStream out = Files.newOutputStream(copy)) {
        int n;
        while ((n = wire.read(buffer, 0, buffer.length)) > 0) {
          out.write(buffer, 0, n);
        }
      } catch (IOException e) {
        Files.deleteIfExists(copy);
        throw e;
      }
      return copy;
    } catch (IOException e) {
      throw DeliveryException.deferred(
          "cannot spool a message for several users: " + e.getMessage(), e);
    }
  }
}
