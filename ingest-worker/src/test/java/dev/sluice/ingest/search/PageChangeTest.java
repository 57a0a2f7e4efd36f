package dev.sluice.ingest.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PageChangeTest {

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsThePageAndTheCommitTimeOfADebeziumUpdate() throws Exception {
        PageChange change = PageChange.parse("k", json("""
                {"before":null,"after":{"id":"0123456789abcdef0123456789abcdef","title":"t","body":"__debezium_unavailable_value"},
                 "source":{"connector":"postgresql","table":"pages","ts_ms":1763633730000,"lsn":123},"op":"u","ts_ms":1763633730100}"""), "pages");

        assertThat(change).isEqualTo(new PageChange("0123456789abcdef0123456789abcdef", Instant.ofEpochMilli(1763633730000L)));
    }

    @Test
    void aDeleteNamesThePageInBefore() throws Exception {
        PageChange change = PageChange.parse(null, json("""
                {"before":{"id":"0123456789abcdef0123456789abcdef"},"after":null,"source":{"table":"pages","ts_ms":1},"op":"d"}"""), "pages");

        assertThat(change.id()).isEqualTo("0123456789abcdef0123456789abcdef");
    }

    @Test
    void acceptsTheEnvelopeWithSchemas() throws Exception {
        PageChange change = PageChange.parse(null, json("""
                {"schema":{},"payload":{"after":{"id":"0123456789abcdef0123456789abcdef"},"source":{"table":"pages","ts_ms":1},"op":"c"}}"""), "pages");

        assertThat(change.id()).isEqualTo("0123456789abcdef0123456789abcdef");
    }

    @Test
    void ignoresTombstonesOtherTablesAndHeartbeats() throws Exception {
        assertThat(PageChange.parse("k", null, "pages")).isNull();
        assertThat(PageChange.parse("k", json("""
                {"after":{"id":"x"},"source":{"table":"page_search","ts_ms":1},"op":"c"}"""), "pages")).isNull();
        assertThat(PageChange.parse(null, json("{\"ts_ms\":1763633730000}"), "pages")).isNull();
    }

    @Test
    void refusesWhatIsNotAChangeEvent() {
        assertThatThrownBy(() -> PageChange.parse("k", json("{not json"), "pages")).isInstanceOf(PageChange.Unusable.class);
    }
}
