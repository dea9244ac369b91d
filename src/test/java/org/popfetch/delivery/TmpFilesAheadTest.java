package org.popfetch.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TmpFilesAheadTest {
  private static final FileAttribute<Set<PosixFilePermission>> MODE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  @TempDir Path dir;

  private long files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  private static Supplier<String> numbered() {
    AtomicInteger n = new AtomicInteger();
    return () -> "f" + n.incrementAndGet();
  }

  @Test
  void makesNoMoreThanItIsAskedForAndTheTakenFilesAreWritable() throws Exception {
    try (DirectoryHandle tmp = DirectoryHandle.open(dir)) {
      TmpFilesAhead ahead = TmpFilesAhead.start(tmp, 3, numbered(), MODE, null);
      for (int i = 1; i <= 3; i++) {
        TmpFilesAhead.Made m = ahead.take();
        assertThat(m.name()).isEqualTo("f" + i);
        m.channel().write(ByteBuffer.wrap(new byte[] {(byte) i}));
        m.channel().close();
        assertThat(Files.readAllBytes(dir.resolve(m.name()))).containsExactly((byte) i);
      }
      assertThat(ahead.take()).as("all three were made").isNull();
      ahead.close();
      assertThat(files()).isEqualTo(3);
      assertThat(Files.getPosixFilePermissions(dir.resolve("f1")))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
  }

  @Test
  void keepsOnlyAFewAheadAndDeletesThoseNotTakenAtClose() throws Exception {
    try (DirectoryHandle tmp = DirectoryHandle.open(dir)) {
      TmpFilesAhead ahead = TmpFilesAhead.start(tmp, 100, numbered(), MODE, null);
      await().atMost(Duration.ofSeconds(10)).until(() -> files() == TmpFilesAhead.AHEAD);
      TmpFilesAhead.Made taken = ahead.take();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> files() == TmpFilesAhead.AHEAD + 1); // one more made for the one taken
      ahead.close();
      assertThat(files()).as("only the taken one is left").isEqualTo(1);
      assertThat(dir.resolve(taken.name())).exists();
      taken.channel().close();
    }
  }

  @Test
  void afterAFailedCreationTheCallerMakesItsOwn() throws Exception {
    Files.createFile(dir.resolve("f2")); // the second name is taken: CREATE_NEW fails
    try (DirectoryHandle tmp = DirectoryHandle.open(dir)) {
      TmpFilesAhead ahead = TmpFilesAhead.start(tmp, 5, numbered(), MODE, null);
      TmpFilesAhead.Made first = ahead.take();
      assertThat(first.name()).isEqualTo("f1");
      first.channel().close();
      assertThat(ahead.take()).as("the creator stopped at its failure").isNull();
      ahead.close();
      assertThat(files()).isEqualTo(2); // f1 and the one in the way, nothing else
    }
  }
}
