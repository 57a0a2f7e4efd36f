package dev.sluice.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.json.Json;
import dev.sluice.core.page.Page;
import dev.sluice.core.page.PageLimits;
import dev.sluice.core.page.PageParser;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvelopeCodecTest {

    private final EnvelopeCodec codec = new EnvelopeCodec();
    private final Page page = new PageParser(PageLimits.DEFAULTS).parse(Json.mapper().readTree("""
            {"url":"https://example.com/a","fetched_at":"2026-11-20T10:15:30.5Z","status":200,"title":"Ünïcode ✓",
             "content_type":"text/html","body":"<html>\\"quoted\\" and \\n newline</html>","metadata":{"crawler":"c-17","depth":3}}"""));

    @Test
    void anUpsertRoundTrips() {
        PageEnvelope upsert = PageEnvelope.upsert(page, Instant.parse("2026-11-20T10:15:31Z"), "crawler-eu");

        PageEnvelope decoded = codec.decode(codec.encode(upsert));

        assertThat(decoded).isEqualTo(upsert);
        assertThat(decoded.orderingTime()).isEqualTo(page.fetchedAt());
    }

    @Test
    void aDeleteRoundTripsAndIsOrderedByWhenItWasAccepted() {
        Instant acceptedAt = Instant.parse("2026-11-20T11:00:00.000001Z");
        PageEnvelope delete = PageEnvelope.delete(page.id(), acceptedAt, "ops");

        PageEnvelope decoded = codec.decode(codec.encode(delete));

        assertThat(decoded).isEqualTo(delete);
        assertThat(decoded.page()).isNull();
        assertThat(decoded.orderingTime()).isEqualTo(acceptedAt);
    }

    @Test
    void theWireFormIsVersionedSnakeCaseJson() {
        String json = new String(codec.encode(PageEnvelope.delete(page.id(), Instant.parse("2026-11-20T11:00:00Z"), "ops")),
                StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"v\":1,\"op\":\"delete\",\"id\":\"" + page.id()
                + "\",\"accepted_at\":\"2026-11-20T11:00:00Z\",\"client\":\"ops\"}");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "not json                                                                  | value is not valid JSON",
        "[1]                                                                       | value is not a JSON object",
        "{'op':'upsert'}                                                           | envelope has no format version 'v'",
        "{'v':2,'op':'upsert'}                                                     | unsupported envelope version 2 (this reader knows 1)",
        "{'v':1,'op':'merge','id':'x'}                                             | op must be 'upsert' or 'delete', not 'merge'",
        "{'v':1,'op':'delete','id':'nope','accepted_at':'2026-11-20T10:00:00Z','client':'c'} | id is not a page id: 'nope'",
        "{'v':1,'op':'delete','id':'0f115db062b7c0dd030b16878c99dea5','client':'c'} | envelope field 'accepted_at' is missing or not a string",
        "{'v':1,'op':'upsert','id':'0f115db062b7c0dd030b16878c99dea5','accepted_at':'2026-11-20T10:00:00Z','client':'c','page':{'url':'https://example.com/'}} | invalid page: fetched_at is required",
        "{'v':1,'op':'upsert','id':'0f115db062b7c0dd030b16878c99dea5','accepted_at':'2026-11-20T10:00:00Z','client':'c','page':{'url':'https://example.org/','fetched_at':'2026-11-20T10:00:00Z'}} | id 0f115db062b7c0dd030b16878c99dea5 is not the id of https://example.org/",
    })
    void refusesABadRecordWithAReason(String value, String reason) {
        byte[] bytes = value.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOf(EnvelopeFormatException.class)
                .hasMessageStartingWith(reason);
    }

    @Test
    void refusesAnEmptyValue() {
        assertThatThrownBy(() -> codec.decode(new byte[0])).hasMessage("empty record value");
        assertThatThrownBy(() -> codec.decode(null)).hasMessage("empty record value");
    }

    @Test
    void anUpsertCanEmbedThePageAsPostedAndReadsBackTheSame() {
        String posted = "{ \"url\": \"HTTPS://Example.com/a#x\", \"fetched_at\": \"2026-11-20T11:15:30.5+01:00\", \"title\": \"Ünïcode ✓\" }";
        Page page = new PageParser(PageLimits.DEFAULTS).parse(Json.mapper().readTree(posted));
        Instant acceptedAt = Instant.parse("2026-11-20T10:15:31Z");

        byte[] bytes = codec.encodeUpsert(page.id(), acceptedAt, "crawler \"eu\"", posted.getBytes(StandardCharsets.UTF_8));

        assertThat(codec.decode(bytes)).isEqualTo(PageEnvelope.upsert(page, acceptedAt, "crawler \"eu\""));
    }

    @Test
    void theSerdeUsesTheCodec() {
        PageEnvelopeSerde serde = new PageEnvelopeSerde(codec);
        PageEnvelope upsert = PageEnvelope.upsert(page, Instant.parse("2026-11-20T10:15:31Z"), "c");

        byte[] bytes = serde.serializer().serialize("pages.v1", upsert);

        assertThat(serde.deserializer().deserialize("pages.v1", bytes)).isEqualTo(upsert);
    }
}
