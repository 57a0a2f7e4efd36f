package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.core.envelope.PageEnvelope;
import dev.sluice.core.json.Json;
import dev.sluice.core.page.InvalidUrlException;
import dev.sluice.core.page.Page;
import dev.sluice.core.page.PageLimits;
import dev.sluice.core.page.PageParser;
import dev.sluice.core.page.PageUrl;
import dev.sluice.core.page.PageValidationException;
import dev.sluice.infra.sample.Corpus;
import dev.sluice.infra.test.ContractSchemas;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What docs/schemas publishes for clients in other languages agrees with the code: the URL → page id vectors are
 * what {@link PageUrl} computes, the page schema accepts what the API accepts and refuses what it refuses, and the
 * envelope schema describes what {@link EnvelopeCodec} writes.
 */
class PublishedContractTest {

    static final ContractSchemas SCHEMAS = ContractSchemas.load();
    static final PageParser PARSER = new PageParser(PageLimits.DEFAULTS, Clock.fixed(Instant.parse("2026-11-21T00:00:00Z"), ZoneOffset.UTC));

    @Test
    void everyUrlToIdVectorIsWhatTheCodeComputes() throws Exception {
        JsonNode vectors = Json.mapper().readTree(Files.readString(ContractSchemas.folder().resolve("page-id-vectors.json")));
        assertThat(vectors.path("valid").size()).isGreaterThanOrEqualTo(20);
        for (JsonNode vector : vectors.path("valid")) {
            PageUrl url = PageUrl.parse(vector.path("url").asString());
            assertThat(List.of(url.normalized(), url.site(), url.id())).as(vector.toString())
                    .containsExactly(vector.path("normalized").asString(), vector.path("site").asString(), vector.path("id").asString());
        }
        for (JsonNode vector : vectors.path("refused")) {
            assertThatThrownBy(() -> PageUrl.parse(vector.path("url").asString())).as(vector.toString())
                    .isInstanceOfSatisfying(InvalidUrlException.class, e -> assertThat(e.rule()).isEqualTo(vector.path("rule").asString()));
        }
    }

    @Test
    void thePageSchemaAcceptsEveryPageOfTheCorpusAsTheApiDoes() {
        for (String line : Corpus.pages().subList(0, 50)) {
            JsonNode page = Json.mapper().readTree(line);
            assertThat(SCHEMAS.violations("page.schema.json", page)).as(page.path("url").asString()).isEmpty();
            assertThat(PARSER.parse(page)).isNotNull();
        }
    }

    @Test
    void thePageSchemaRefusesWhatTheApiRefuses() {
        List<String> refused = List.of(
                "{\"fetched_at\":\"2026-11-20T10:15:30Z\"}",
                "{\"url\":\"https://example.com/\"}",
                "{\"url\":\"ftp://example.com/\",\"fetched_at\":\"2026-11-20T10:15:30Z\"}",
                "{\"url\":\"https://example.com/\",\"fetched_at\":\"2026-11-20 10:15:30\"}",
                "{\"url\":\"https://example.com/\",\"fetched_at\":\"2026-11-20T10:15:30Z\",\"status\":700}",
                "{\"url\":\"https://example.com/\",\"fetched_at\":\"2026-11-20T10:15:30Z\",\"status\":\"200\"}",
                "{\"url\":\"https://example.com/\",\"fetched_at\":\"2026-11-20T10:15:30Z\",\"fetchedAt\":\"2026-11-20T10:15:30Z\"}",
                "{\"url\":\"https://example.com/\",\"fetched_at\":\"2026-11-20T10:15:30Z\",\"metadata\":[1]}",
                "{\"url\":\"https://example.com/\",\"fetched_at\":\"2026-11-20T10:15:30Z\",\"content_type\":\"" + "x".repeat(256) + "\"}");
        for (String json : refused) {
            JsonNode page = Json.mapper().readTree(json);
            assertThat(SCHEMAS.violations("page.schema.json", page)).as("the schema refuses %s", json.length() > 120 ? json.substring(0, 120) : json)
                    .isNotEmpty();
            assertThatThrownBy(() -> PARSER.parse(page)).as("the API refuses it too").isInstanceOf(PageValidationException.class);
        }
    }

    @Test
    void theEnvelopeSchemaDescribesWhatTheCodecWrites() {
        Page page = PARSER.parse(Json.mapper().readTree(Corpus.pages().get(0)));
        EnvelopeCodec codec = new EnvelopeCodec();
        JsonNode upsert = Json.mapper().readTree(codec.encode(PageEnvelope.upsert(page, Instant.parse("2026-11-20T10:15:31.2Z"), "crawler-eu")));
        JsonNode delete = Json.mapper().readTree(codec.encode(PageEnvelope.delete(page.id(), Instant.parse("2026-11-20T10:16:00Z"), "crawler-eu")));

        assertThat(SCHEMAS.violations("pages-envelope.schema.json", upsert)).isEmpty();
        assertThat(SCHEMAS.violations("pages-envelope.schema.json", delete)).isEmpty();
        assertThat(SCHEMAS.violations("pages-envelope.schema.json", ((ObjectNode) upsert.deepCopy()).put("v", 2))).isNotEmpty();
        assertThat(SCHEMAS.violations("pages-envelope.schema.json", ((ObjectNode) upsert.deepCopy()).put("op", "delete")))
                .as("a delete carries no page").isNotEmpty();
        assertThat(SCHEMAS.violations("pages-envelope.schema.json", ((ObjectNode) delete.deepCopy()).put("op", "upsert")))
                .as("an upsert carries its page").isNotEmpty();
    }
}
