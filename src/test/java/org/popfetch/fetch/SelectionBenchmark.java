package org.popfetch.fetch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.popfetch.pop3.ScanListing;
import org.popfetch.store.SqliteSeenUidStore;

/**
 * The keep-mode diff for a mailbox of 100,000 kept messages and 10 new ones: load the seen UIDs
 * from SQLite and select what to fetch. Run with {@code src/test/scripts/jmh.sh Selection}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SelectionBenchmark {
  static final int KEPT = 100_000;
  static final AccountKey KEY = AccountKey.of("pop.example.com", 995, "alice");

  private Path dir;
  private SqliteSeenUidStore store;
  private final List<ScanListing> listing = new ArrayList<>();
  private final Map<Integer, String> uids = new HashMap<>();
  private final FetchPolicy keep =
      new FetchPolicy(
          true, Optional.empty(), OptionalLong.empty(), OptionalInt.empty(), 200, 1 << 25);

  @Setup
  public void fill() throws Exception {
    dir = Files.createTempDirectory("selection-bench");
    store = SqliteSeenUidStore.open("jdbc:sqlite:" + dir.resolve("state.db"));
    List<SeenUid> seen = new ArrayList<>();
    for (int i = 1; i <= KEPT + 10; i++) {
      String uid = String.format("%08X%08X", i, 1_700_000_000);
      listing.add(new ScanListing(i, 4096));
      uids.put(i, uid);
      if (i <= KEPT) {
        seen.add(new SeenUid(uid, UidState.KEPT, Instant.EPOCH, 4096));
      }
    }
    store.record(KEY, seen);
  }

  @TearDown
  public void close() throws Exception {
    store.close();
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public int loadAndSelect() throws Exception {
    Map<String, SeenUid> seen = store.load(KEY);
    return Selection.select("alice", listing, uids, true, seen, keep, Instant.EPOCH).fetch().size();
  }
}
