package org.popfetch.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JsonObjectTest {
  @Test
  void readsATokenAnswerWithEscapesAndSkipsNestedValues() throws Exception {
    JsonObject j =
        JsonObject.parse(
            " {\"access_token\":\"a\\/b\\u0041\\n"
                + "\",\"expires_in\":3599,\"ext\":{\"x\":[1,{\"y\":null}]},\"ok\":true,\"quoted\":\"120\"}"
                + " ");
    assertThat(j.string("access_token")).contains("a/bA\n");
    assertThat(j.wholeNumber("expires_in")).contains(3599L);
    assertThat(j.wholeNumber("quoted")).contains(120L);
    assertThat(j.string("expires_in")).isEmpty();
    assertThat(j.has("ext")).isTrue();
    assertThat(j.string("ext")).isEmpty();
  }

  @Test
  void refusesOversizedDeepRepeatedOrBrokenInput() {
    String big = "{\"a\":\"" + "x".repeat(JsonObject.MAX_BYTES) + "\"}";
    assertThatThrownBy(() -> JsonObject.parse(big)).hasMessageContaining("longer than");
    String deep = "{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}";
    assertThatThrownBy(() -> JsonObject.parse(deep)).hasMessageContaining("nested deeper");
    assertThatThrownBy(() -> JsonObject.parse("{\"a\":\"1\",\"a\":\"2\"}"))
        .hasMessageContaining("repeated");
    for (String bad :
        new String[] {
          "",
          "[]",
          "{",
          "{\"a\":}",
          "{\"a\":\"x}",
          "{\"a\":\"\\u12\"}",
          "{\"a\":\"\\q\"}",
          "{\"a\":\"\u0001\"}",
          "{\"a\":1} x",
          "{\"a\":-}",
          "<html>"
        }) {
      assertThatThrownBy(() -> JsonObject.parse(bad))
          .as(bad)
          .isInstanceOf(JsonObject.JsonException.class);
    }
  }

  @Test
  void aNumberTooLongOrNegativeIsNotAWholeNumber() throws Exception {
    JsonObject j = JsonObject.parse("{\"a\":-5,\"b\":99999999999999999999,\"c\":1.5}");
    assertThat(j.wholeNumber("a")).isEmpty();
    assertThat(j.wholeNumber("b")).isEmpty();
    assertThat(j.wholeNumber("c")).isEmpty();
  }
}
