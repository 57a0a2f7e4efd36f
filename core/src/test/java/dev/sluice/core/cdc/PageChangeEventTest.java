package dev.sluice.core.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PageChangeEventTest {

    static final String ID = "0123456789abcdef0123456789abcdef";

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsAnUpdateWithItsVersionSiteFetchAndCommitTime() throws Exception {
        PageChangeEvent change = PageChangeEvent.read("k", json("""
                {"before":null,"after":{"id":"%s","site":"example.com","version":2,"deleted_at":null,
                 "fetched_at":"2026-11-20T10:15:30.123456Z","body":"__debezium_unavailable_value"},
                 "source":{"connector":"postgresql","table":"pages","ts_ms":1763633730000,"lsn":123},"op":"u"}""".formatted(ID)));

        assertThat(change).isEqualTo(new PageChangeEvent(ID, 2L, "example.com", false, false, Instant.ofEpochMilli(1763633730000L),
                Instant.parse("2026-11-20T10:15:30.123456Z")));
        assertThat(change.absent()).isFalse();
    }

    @Test
    void aTombstoneIsAVersionedChange() throws Exception {
        PageChangeEvent change = PageChangeEvent.read(null, json("""
                {"after":{"id":"%s","site":"example.com","version":3,"deleted_at":"2026-11-20T10:00:00Z"},
                 "source":{"table":"pages","ts_ms":1},"op":"u"}""".formatted(ID)));

        assertThat(change.tombstoned()).isTrue();
        assertThat(change.version()).isEqualTo(3);
        assertThat(change.absent()).isTrue();
    }

    @Test
    void aRowDeletedOutrightNamesOnlyItsPage() throws Exception {
        PageChangeEvent change = PageChangeEvent.read(null, json("""
                {"before":{"id":"%s"},"after":null,"source":{"table":"pages","ts_ms":1},"op":"d"}""".formatted(ID)));

        assertThat(change).isEqualTo(new PageChangeEvent(ID, null, null, false, true, Instant.ofEpochMilli(1), null));
    }

    @Test
    void acceptsTheEnvelopeWithSchemas() throws Exception {
        PageChangeEvent change = PageChangeEvent.read(null, json("""
                {"schema":{},"payload":{"after":{"id":"%s","version":1},"source":{"table":"pages","ts_ms":1},"op":"c"}}""".formatted(ID)));

        assertThat(change.id()).isEqualTo(ID);
    }

    @Test
    void skipsEverythingElseWhateverItsShape() throws Exception {
        PageChangeEvent change = PageChangeEvent.read(null, json("""
                {"schema":{"type":"struct","fields":[{"field":"before","op":"d"},{"field":"after"}]},
                 "payload":{"before":null,"after":{"metadata":{"op":"d","nested":[1,{"version":9}]},"id":"%s","body":"<p class=\\"op\\">\\u00e9</p>",
                 "version":7,"tags":[["site","x"]],"site":"example.com"},"source":{"version":"3.6","table":"pages","ts_ms":5,"sequence":"[\\"1\\",\\"2\\"]"},
                 "op":"u","transaction":{"id":"1:2"}}}""".formatted(ID)));

        assertThat(change).isEqualTo(new PageChangeEvent(ID, 7L, "example.com", false, false, Instant.ofEpochMilli(5), null));
    }

    @Test
    void ignoresKafkaTombstonesOtherTablesAndHeartbeats() throws Exception {
        assertThat(PageChangeEvent.read("k", null)).isNull();
        assertThat(PageChangeEvent.read("k", json("""
                {"after":{"id":"x","version":1},"source":{"table":"cdc_heartbeat","ts_ms":1},"op":"u"}"""))).isNull();
        assertThat(PageChangeEvent.read(null, json("{\"ts_ms\":1763633730000}"))).isNull();
    }

    @Test
    void refusesWhatCannotBeReadAsAChangeOfAPage() {
        assertThatThrownBy(() -> PageChangeEvent.read("k", json("{not json"))).isInstanceOf(PageChangeEvent.Unreadable.class);
        assertThatThrownBy(() -> PageChangeEvent.read(null, json("""
                {"after":{"id":"%s"},"source":{"table":"pages"},"op":"u"}""".formatted(ID))))
                .isInstanceOf(PageChangeEvent.Unreadable.class).hasMessageContaining("version");
    }
}
