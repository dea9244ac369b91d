package org.popfetch.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.popfetch.net.WireInput;
import org.popfetch.pop3.UidTable;

/**
 * Status and listing lines: a UIDL listing of 100,000 entries read line by line, and into a
 * UidTable.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ListingBenchmark {
  @Benchmark
  public int readUidlListingLines() throws IOException {
    WireInput in = new WireInput(new ByteArrayInputStream(UIDL));
    int count = 0;
    while (!in.readLine(8192).equals(".")) {
      count++;
    }
    return count;
  }

  /** The same listing parsed into the compact table a poll holds it in. */
  @Benchmark
  public int readUidlListingIntoTable() throws IOException {
    WireInput in = new WireInput(new ByteArrayInputStream(UIDL));
    UidTable.Builder table = new UidTable.Builder();
    for (String line; !(line = in.readLine(8192)).equals("."); ) {
      int space = line.indexOf(' ');
      table.add(Integer.parseInt(line, 0, space, 10), line.substring(space + 1));
    }
    UidTable t = table.build();
    return t.occurrences(t.size() - 1);
  }

  private static final byte[] UIDL;

  static {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 100_000; i++) {
      sb.append(i).append(' ').append(String.format("%08X%08X", i, 1700000000)).append("\r\n");
    }
    sb.append(".\r\n");
    UIDL = sb.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
