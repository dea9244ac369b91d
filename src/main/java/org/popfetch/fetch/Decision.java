package org.popfetch.fetch;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a poll does with one message of the listing, and why: what the poll acts on and what {@code
 * popfetch explain} prints. Strings from the server or the message are kept as they came (already
 * free of control characters where they come from header fields); whoever prints them escapes them.
 *
 * @param number its number in this session
 * @param uid its unique-id, "" without UIDL
 * @param size its size in LIST, in octets
 * @param seen what the state remembers of it
 * @param action what the poll does with it
 * @param rule the rule that decided it, "" for none
 * @param deleteAt for a kept message under delete-after: when a poll deletes it
 * @param sender the envelope sender, when its header was read ("" for the null sender)
 * @param subject its Subject, when its header was read
 * @param recipients who it is delivered for, when its header was read
 * @param destinations where it goes, for {@link Action#FETCH}
 */
public record Decision(
    int number,
    String uid,
    long size,
    Seen seen,
    Action action,
    String rule,
    Optional<Instant> deleteAt,
    Optional<String> sender,
    Optional<String> subject,
    List<String> recipients,
    List<String> destinations) {
  public Decision {
    recipients = List.copyOf(recipients);
    destinations = List.copyOf(destinations);
  }

  /** What the state remembers of a message. */
  public enum Seen {
    /** Nothing: a new message. */
    NEW,
    /** Delivered and kept on the server. */
    KEPT,
    /** Delivered, its deletion not yet confirmed. */
    DELETE_PENDING,
    /** Tried before; the destination failed. */
    FAILED,
    /** Found too large before, and reported (or noticed). */
    OVERSIZE;

    public String key() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Seen of(SeenUid recorded) {
      if (recorded == null) {
        return NEW;
      }
      return switch (recorded.state()) {
        case KEPT -> KEPT;
        case DELETE_PENDING -> DELETE_PENDING;
        case FAILED -> FAILED;
        case OVERSIZE -> OVERSIZE;
      };
    }
  }

  /** What a poll does. */
  public enum Action {
    /** Retrieve and deliver. */
    FETCH,
    /** New, but left for a later poll by fetch-limit. */
    WAIT,
    /** Left on the server by a rule, decided again at every poll. */
    SKIP,
    /** Deleted on the server without being fetched, by a rule. */
    DELETE,
    /** Too large: left on the server. */
    OVERSIZE_LEAVE,
    /** Too large: deleted on the server without being fetched. */
    OVERSIZE_DELETE,
    /** Too large: left on the server, and its owner told once. */
    OVERSIZE_NOTICE,
    /** Delivered before and kept (keep: true). */
    KEEP,
    /** Delivered before: deleted now. */
    DELETE_DELIVERED,
    /** A unique-id popfetch cannot track, in keep mode: left on the server. */
    UNTRACKABLE;

    /** The word explain prints: "fetch", "oversize-notice", "delete-delivered". */
    public String key() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Action oversize(OversizeAction a) {
      return switch (a) {
        case LEAVE -> OVERSIZE_LEAVE;
        case DELETE -> OVERSIZE_DELETE;
        case NOTICE -> OVERSIZE_NOTICE;
      };
    }
  }

  /** A decision made from the listing and the state alone, before any header is read. */
  static Decision listed(
      Selection.Entry e, SeenUid recorded, Action action, Optional<Instant> deleteAt) {
    return new Decision(
        e.number(),
        e.uid(),
        e.size(),
        Seen.of(recorded),
        action,
        "",
        deleteAt,
        Optional.empty(),
        Optional.empty(),
        List.of(),
        List.of());
  }

  /** This decision with what the message's header said. */
  Decision judged(Action newAction, Verdict verdict, Incoming message) {
    List<String> where =
        verdict instanceof Verdict.Fetch f && newAction == Action.FETCH
            ? f.destinations()
            : List.of();
    return new Decision(
        number,
        uid,
        size,
        seen,
        newAction,
        verdict.rule(),
        deleteAt,
        Optional.of(message.envelope().sender()),
        Optional.of(message.header().first("Subject").orElse("")),
        List.of(message.envelope().recipient()),
        where);
  }

  /** This decision with another action, nothing else known. */
  Decision with(Action newAction) {
    return new Decision(
        number,
        uid,
        size,
        seen,
        newAction,
        rule,
        deleteAt,
        sender,
        subject,
        recipients,
        destinations);
  }
}
