package org.popfetch.config;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.popfetch.config.YamlReader.Entry;
import org.popfetch.fetch.OversizeAction;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads an account's {@code rules:}: each a match (a header, the recipient or the sender, compared
 * by is, glob or an RE2 regex checked now) and what to do with what it matches: deliver to one or
 * more destinations (with a max-size of its own, if given), or {@code action: skip} (leave on the
 * server) or {@code action: delete} (delete there without fetching).
 */
final class RuleSection {
  private final AccountValues yaml;
  private final DeliverSection destinations;

  RuleSection(AccountValues yaml, DeliverSection destinations) {
    this.yaml = yaml;
    this.destinations = destinations;
  }

  private static final List<String> RULE_KEYS = List.of("match", "action", "max-size", "deliver");
  private static final List<String> MATCH_KEYS =
      List.of("header", "recipient", "sender", "is", "glob", "regex");
  private static final List<String> HOW = List.of("is", "glob", "regex");
  private static final List<String> RULE_TARGET_KEYS =
      List.of("maildir", "mbox", "pipe", "smtp", "timeout", "user", "allow-root", "folder");

  /** The rules under {@code path}, in file order. */
  List<RuleConfig> read(Node v, String path) throws ConfigException {
    yaml.checkTag(v, path);
    if (!(v instanceof SequenceNode seq)) {
      throw yaml.error(
          path, YamlReader.line(v), "expected a list of rules, got " + YamlReader.describe(v));
    }
    List<RuleConfig> out = new ArrayList<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      Node r = seq.getValue().get(i);
      String rp = path + "[" + i + "]";
      Map<String, Entry> rule = yaml.mapping(r, rp, RULE_KEYS);
      if (!rule.containsKey("match")) {
        throw yaml.error(rp, YamlReader.line(r), "a rule needs match:");
      }
      RuleConfig.Disposition disposition = disposition(rule, rp, YamlReader.line(r));
      out.add(rule(rule.get("match"), rule.get("deliver"), disposition));
    }
    return out;
  }

  /**
   * The rule's action and max-size: a rule that delivers needs deliver:, one that skips or deletes
   * takes neither deliver: nor max-size:.
   */
  private RuleConfig.Disposition disposition(Map<String, Entry> rule, String path, int line)
      throws ConfigException {
    RuleConfig.Action action = RuleConfig.Action.DELIVER;
    Entry a = rule.get("action");
    if (a != null) {
      String text = yaml.string(a.value(), a.path()).strip();
      action =
          Stream.of(RuleConfig.Action.values())
              .filter(v -> v.key().equals(text))
              .findFirst()
              .orElseThrow(
                  () ->
                      yaml.error(
                          a.path(),
                          a.line(),
                          "expected deliver, skip or delete, got " + YamlReader.quote(text)));
    }
    Entry deliver = rule.get("deliver");
    Entry max = rule.get("max-size");
    if (action == RuleConfig.Action.DELIVER) {
      if (deliver == null) {
        throw yaml.error(path, line, "a rule needs deliver:, or action: skip or action: delete");
      }
      if (max == null) {
        return RuleConfig.Disposition.DELIVER;
      }
      MaxSize m = yaml.maxSize(max.value(), max.path());
      return new RuleConfig.Disposition(action, OptionalLong.of(m.size()), m.action());
    }
    Entry extra = deliver != null ? deliver : max;
    if (extra != null) {
      throw yaml.error(
          extra.path(),
          extra.line(),
          "a rule with action: "
              + action.key()
              + " fetches nothing, so it takes no "
              + extra.key()
              + ":");
    }
    return new RuleConfig.Disposition(action, OptionalLong.empty(), OversizeAction.LEAVE);
  }

  private RuleConfig rule(Entry match, Entry deliver, RuleConfig.Disposition disposition)
      throws ConfigException {
    Map<String, Entry> m = yaml.mapping(match.value(), match.path(), MATCH_KEYS);
    List<Entry> sources =
        Stream.of("header", "recipient", "sender").filter(m::containsKey).map(m::get).toList();
    if (sources.size() != 1) {
      throw yaml.error(
          match.path(), match.line(), "match exactly one of header, recipient, sender");
    }
    Entry src = sources.get(0);
    String header = "";
    Map<String, Entry> how = m;
    if (src.key().equals("header")) {
      header = yaml.headerName(src.value(), src.path());
    } else {
      how = yaml.mapping(src.value(), src.path(), HOW);
    }
    List<Entry> kinds = HOW.stream().filter(how::containsKey).map(how::get).toList();
    if (kinds.size() != 1) {
      throw yaml.error(src.path(), src.line(), "compare with exactly one of is, glob, regex");
    }
    Entry k = kinds.get(0);
    String pattern = yaml.string(k.value(), k.path());
    if (k.key().equals("regex")) {
      // Rules match with RE2/J, in linear time; it refuses what would need backtracking.
      try {
        Pattern.compile(pattern);
      } catch (PatternSyntaxException e) {
        throw yaml.error(
            k.path(),
            YamlReader.line(k.value()),
            "not a regular expression in RE2 syntax (which has no backreferences or lookaround): "
                + e.getDescription()
                + ": `"
                + e.getPattern()
                + "`");
      }
    }
    List<RuleConfig.Target> targets = new ArrayList<>();
    Node d = deliver == null ? null : deliver.value();
    if (d == null) {
      // skip or delete: nothing to deliver to
    } else if (d instanceof SequenceNode list) {
      if (list.getValue().isEmpty()) {
        throw yaml.error(deliver.path(), deliver.line(), "expected at least one destination");
      }
      for (int i = 0; i < list.getValue().size(); i++) {
        targets.add(ruleTarget(list.getValue().get(i), deliver.path() + "[" + i + "]"));
      }
    } else {
      targets.add(ruleTarget(d, deliver.path()));
    }
    RuleConfig.Source source =
        Stream.of(RuleConfig.Source.values())
            .filter(v -> v.key().equals(src.key()))
            .findFirst()
            .orElseThrow();
    RuleConfig.Kind kind =
        Stream.of(RuleConfig.Kind.values())
            .filter(v -> v.key().equals(k.key()))
            .findFirst()
            .orElseThrow();
    return new RuleConfig(source, header, kind, pattern, targets, disposition);
  }

  private RuleConfig.Target ruleTarget(Node v, String path) throws ConfigException {
    Map<String, Entry> entries = yaml.mapping(v, path, RULE_TARGET_KEYS);
    Entry folder = entries.get("folder");
    String folderName = "";
    if (folder != null) {
      if (!entries.containsKey("maildir")) {
        throw yaml.error(folder.path(), folder.line(), "a folder belongs to a maildir destination");
      }
      folderName = yaml.string(folder.value(), folder.path()).strip();
      if (folderName.isEmpty()) {
        throw yaml.error(folder.path(), folder.line(), "is empty");
      }
    }
    // The destination itself is read like an account's deliver: block, without "folder".
    MappingNode original = (MappingNode) v;
    MappingNode copy =
        new MappingNode(
            original.getTag(),
            true,
            original.getValue().stream()
                .filter(
                    t ->
                        !(t.getKeyNode() instanceof ScalarNode key
                            && key.getValue().equals("folder")))
                .toList(),
            original.getStartMark(),
            original.getEndMark(),
            original.getFlowStyle());
    return new RuleConfig.Target(destinations.read(copy, path), folderName);
  }
}
