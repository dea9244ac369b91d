package org.popfetch.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.popfetch.testing.TestPki;

/** When a kept TLS layer is built anew: a changed system trust store, and the bound. */
class KeptTlsLayersTest {
  @Test
  void aChangedSystemTrustStoreBuildsANewLayer() throws Exception {
    AtomicReference<Object> store = new AtomicReference<>("cacerts as installed");
    KeptTlsLayers kept = new KeptTlsLayers(8, store::get);
    TlsLayer first = kept.layer(TlsTrust.SYSTEM);
    assertThat(kept.layer(TlsTrust.SYSTEM)).isSameAs(first);
    store.set("cacerts after an update");
    TlsLayer second = kept.layer(TlsTrust.SYSTEM);
    assertThat(second).isNotSameAs(first);
    assertThat(kept.layer(TlsTrust.SYSTEM)).isSameAs(second);
    assertThat(kept.size()).isEqualTo(1);
  }

  @Test
  void theSettingUsedLeastRecentlyIsGivenUpBeyondTheBound() throws Exception {
    KeptTlsLayers kept = new KeptTlsLayers(2, () -> "store");
    TlsTrust a = TlsTrust.pinned(new byte[32]);
    TlsTrust b = TlsTrust.pinned(TestPki.selfSigned("localhost").sha256());
    TlsTrust c = TlsTrust.SYSTEM;
    TlsLayer layerA = kept.layer(a);
    TlsLayer layerB = kept.layer(b);
    assertThat(kept.layer(a)).isSameAs(layerA);
    kept.layer(c);
    assertThat(kept.size()).isEqualTo(2);
    assertThat(kept.layer(a)).as("used last but one: kept").isSameAs(layerA);
    assertThat(kept.layer(b)).as("used longest ago: built anew").isNotSameAs(layerB);
  }

  @Test
  void theSystemStoresStateIsTheSameWhileItsFileIsUnchanged() {
    Object state = KeptTlsLayers.systemTrustStore();
    assertThat(KeptTlsLayers.systemTrustStore()).isEqualTo(state);
    assertThat(state.toString()).contains("lib/security/").doesNotContain("unreadable");
  }
}
