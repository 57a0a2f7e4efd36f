package dev.sluice.invalidator.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChangePublisherTest {

    @Test
    void readsThePageIdOfAKeyAsTheConverterWritesIt() {
        assertThat(ChangePublisher.pageId(bytes("{\"id\":\"0f3a9c\"}"))).isEqualTo("0f3a9c");
    }

    @Test
    void readsKeysOfAnyOtherShapeAsJson() {
        assertThat(ChangePublisher.pageId(bytes("{\"id\":\"a\\\"b\"}"))).isEqualTo("a\"b");
        assertThat(ChangePublisher.pageId(bytes("{ \"id\" : \"spaced\" }"))).isEqualTo("spaced");
        assertThat(ChangePublisher.pageId(bytes("{\"schema\":{},\"payload\":{\"id\":\"with-schema\"}}"))).isEqualTo("with-schema");
        assertThat(ChangePublisher.pageId(bytes("{\"id\":\"\"}"))).isEmpty();
    }

    @Test
    void refusesAKeyWithoutAnId() {
        assertThatThrownBy(() -> ChangePublisher.pageId(bytes("{\"url\":\"x\"}"))).hasMessageContaining("without an id");
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
