package org.popfetch.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The TLS layers of a process, one per trust setting, kept between connections so that their TLS
 * sessions can be resumed and their trust stores are not built again for every poll.
 *
 * <p>A kept layer is handed out only while what it was built from is unchanged: the CA file's
 * content (read again at each call, a few kilobytes; compared octet for octet, so a file rewritten
 * within one clock tick still counts as changed) and the system trust store's file (its path, size,
 * modification time and inode: the JDK reloads the store when its modification time changes).
 * Otherwise a new layer is built and kept instead: its new session cache holds nothing trusted
 * under the old setting. A pinned setting reads neither.
 *
 * <p>At most {@link #MAX_KEPT} settings are kept, the least recently used given up first: a
 * configuration has one setting per distinct CA file or pin, so that bound is only reached by a
 * file with more distinct settings than that, whose layers are then built as before.
 */
final class KeptTlsLayers {
  static final int MAX_KEPT = 64;

  /** The process's layers, used by {@link TlsLayer#forTrust}. */
  static final KeptTlsLayers SHARED = new KeptTlsLayers(MAX_KEPT, KeptTlsLayers::systemTrustStore);

  /**
   * A trust setting as a key: {@link TlsTrust} itself compares its pin by identity.
   *
   * @param pin the pin in hex, or "" for none
   */
  private record Key(Optional<Path> caFile, String pin) {
    static Key of(TlsTrust trust) {
      return new Key(
          trust.caFile(), trust.pinnedSha256().map(HexFormat.of()::formatHex).orElse(""));
    }
  }

  /**
   * A layer and what it was built from.
   *
   * @param caFileContent the CA file's octets, or null without a CA file
   * @param systemStore the system trust store's state, or null for a pin
   */
  private record Kept(byte[] caFileContent, Object systemStore, TlsLayer layer) {
    boolean builtFrom(byte[] content, Object store) {
      return Arrays.equals(caFileContent, content) && Objects.equals(systemStore, store);
    }
  }

  private final Map<Key, Kept> kept;
  private final Supplier<Object> systemStore;

  /**
   * @param max how many settings to keep
   * @param systemStore the system trust store's present state, equal for an unchanged store
   */
  KeptTlsLayers(int max, Supplier<Object> systemStore) {
    this.systemStore = systemStore;
    this.kept =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Kept> eldest) {
            return size() > max;
          }
        };
  }

  /**
   * The kept layer for {@code trust} if what it was built from is unchanged, else a new one, kept
   * from then on. Safe to call from several threads; two that find no layer at the same moment may
   * both build one, and the last kept is used from then on.
   *
   * @throws IOException if the CA file cannot be read or holds no certificate
   */
  TlsLayer layer(TlsTrust trust) throws IOException {
    boolean pinned = trust.pinnedSha256().isPresent();
    byte[] content =
        !pinned && trust.caFile().isPresent() ? Files.readAllBytes(trust.caFile().get()) : null;
    Object store = pinned ? null : systemStore.get();
    Key key = Key.of(trust);
    synchronized (kept) {
      Kept k = kept.get(key);
      if (k != null && k.builtFrom(content, store)) {
        return k.layer();
      }
    }
    TlsLayer fresh = TlsLayer.build(trust, content);
    synchronized (kept) {
      kept.put(key, new Kept(content, store, fresh));
    }
    return fresh;
  }

  /** How many settings are kept now. */
  int size() {
    synchronized (kept) {
      return kept.size();
    }
  }

  /**
   * The state of the file the JDK reads the default trust store from: the {@code
   * javax.net.ssl.trustStore} property's, else {@code lib/security/jssecacerts} or {@code cacerts}
   * in the Java home (the JDK's own order). Links are followed, as Debian's cacerts is one.
   */
  static Object systemTrustStore() {
    String property = System.getProperty("javax.net.ssl.trustStore");
    Path store;
    if (property != null && !property.isEmpty()) {
      store = Path.of(property);
    } else {
      Path security = Path.of(System.getProperty("java.home"), "lib", "security");
      store = security.resolve("jssecacerts");
      if (!Files.exists(store)) {
        store = security.resolve("cacerts");
      }
    }
    try {
      BasicFileAttributes a = Files.readAttributes(store, BasicFileAttributes.class);
      return List.of(store.toString(), a.size(), a.lastModifiedTime(), String.valueOf(a.fileKey()));
    } catch (IOException | RuntimeException e) {
      return List.of(store.toString(), "unreadable");
    }
  }
}
