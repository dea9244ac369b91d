package org.popfetch.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParallelFsyncTest {
  @TempDir Path dir;

  private List<FileChannel> files(int n) throws IOException {
    List<FileChannel> channels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      FileChannel c =
          FileChannel.open(
              dir.resolve("f" + i), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      c.write(ByteBuffer.wrap(("message " + i).getBytes()));
      channels.add(c);
    }
    return channels;
  }

  @Test
  void forcesEveryFileOfABatchLargerThanThePool() throws IOException {
    List<FileChannel> channels = files(3 * ParallelFsync.THREADS + 1);
    ParallelFsync.forceAll(channels);
    for (FileChannel c : channels) {
      assertThat(c.isOpen()).isTrue();
      c.close();
    }
  }

  @Test
  void aFileThatCannotBeForcedFailsTheWholeCall() throws IOException {
    // A commit that returned here would count a file as durable that is not.
    List<FileChannel> channels = files(2 * ParallelFsync.THREADS);
    channels.get(channels.size() - 1).close();
    channels.get(3).close();
    assertThatThrownBy(() -> ParallelFsync.forceAll(channels))
        .isInstanceOf(ClosedChannelException.class)
        .satisfies(e -> assertThat(e.getSuppressed().length).isLessThanOrEqualTo(1));
    for (FileChannel c : channels) {
      c.close();
    }
  }
}
