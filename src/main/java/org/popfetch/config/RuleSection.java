package org.popfetch.config;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.popfetch.config.YamlReader.Entry;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads an account's {@code rules:}: each a match (a header, the recipient or the sender, compared
 * by is, glob or an RE2 regex checked now) and one or more destinations.
 */
final class RuleSection {
  private final AccountValues yaml;
  private final DeliverSection destinations;

  RuleSection(AccountValues yaml, DeliverSection destinations) {
    this.yaml = yaml;
    this.destinations = destinations;
  }

  private static final List<String> RULE_KEYS = List.of("match", "deliver");
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
      if (!rule.containsKey("match") || !rule.containsKey("deliver")) {
        throw yaml.error(rp, YamlReader.line(r), "a rule needs match: and deliver:");
      }
      out.add(rule(rule.get("match"), rule.get("deliver")));
    }
    return out;
  }

  private RuleConfig rule(Entry match, Entry deliver) throws ConfigException {
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
    Node d = deliver.value();
    if (d instanceof SequenceNode list) {
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
    return new RuleConfig(source, header, kind, pattern, targets);
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
