package dev.sluice.core.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.core.json.Json;
import dev.sluice.core.page.Violation.Code;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class PageParserTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private final PageParser parser = new PageParser(
            new PageLimits(200, 50, 40, 1000, 100, Duration.ofMinutes(5)), Clock.fixed(NOW, ZoneOffset.UTC));

    private static JsonNode json(String text) {
        return Json.mapper().readTree(text.replace('\'', '"'));
    }

    private List<Violation> violationsOf(String page) {
        List<Violation> violations = new ArrayList<>();
        assertThat(parser.parse(json(page), violations)).isNull();
        return violations;
    }

    @Test
    void acceptsACompletePage() {
        Page page = parser.parse(json("""
                {'url':'HTTPS://Example.com/a?b=1#top','fetched_at':'2026-11-20T10:15:30.123456789+01:00','status':200,
                 'title':'T','content_type':'text/html','body':'<p>hi</p>','metadata':{'crawler':'c-17'}}"""));

        assertThat(page.url().normalized()).isEqualTo("https://example.com/a?b=1");
        assertThat(page.site()).isEqualTo("example.com");
        assertThat(page.fetchedAt()).as("RFC 3339 offset applied, truncated to microseconds")
                .isEqualTo(Instant.parse("2026-11-20T09:15:30.123456Z"));
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.title()).isEqualTo("T");
        assertThat(page.contentType()).isEqualTo("text/html");
        assertThat(page.body()).isEqualTo("<p>hi</p>");
        assertThat(page.metadata().get("crawler").stringValue()).isEqualTo("c-17");
    }

    @Test
    void onlyUrlAndFetchedAtAreRequired() {
        Page page = parser.parse(json("{'url':'https://example.com/','fetched_at':'2026-11-20T10:15:30Z'}"));

        assertThat(page.status()).isNull();
        assertThat(page.body()).isNull();
        assertThat(page.metadata().isEmpty()).isTrue();
    }

    @Test
    void namesEveryBrokenRuleAtOnce() {
        assertThat(violationsOf("{'status':'ok','title':7,'fetchedAt':'x'}"))
                .extracting(Violation::field, Violation::code, Violation::message)
                .containsExactlyInAnyOrder(
                        tuple("fetchedAt", Code.UNKNOWN_FIELD,
                                "fetchedAt is not a page field (expected one of url, fetched_at, status, title, content_type, body, metadata)"),
                        tuple("url", Code.REQUIRED, "url is required"),
                        tuple("fetched_at", Code.REQUIRED, "fetched_at is required"),
                        tuple("status", Code.WRONG_TYPE, "status must be an integer HTTP status"),
                        tuple("title", Code.WRONG_TYPE, "title must be a string"));
    }

    @Test
    void refusesABadUrlWithItsRule() {
        assertThat(violationsOf("{'url':'ftp://x.org/','fetched_at':'2026-11-20T10:15:30Z'}"))
                .extracting(Violation::field, Violation::code, Violation::message)
                .containsExactly(tuple("url", Code.INVALID, "url must use the http or https scheme, not 'ftp'"));
    }

    @Test
    void refusesTimestampsWithoutOffsetOrFromTheFuture() {
        assertThat(violationsOf("{'url':'https://a.org/','fetched_at':'2026-11-20T10:15:30'}"))
                .extracting(Violation::code).containsExactly(Code.INVALID);
        assertThat(violationsOf("{'url':'https://a.org/','fetched_at':'2026-11-21T12:06:00Z'}"))
                .extracting(Violation::code, Violation::message)
                .containsExactly(tuple(Code.OUT_OF_RANGE,
                        "fetched_at must not be in the future (more than 300 s ahead of the server clock)"));
        assertThat(parser.parse(json("{'url':'https://a.org/','fetched_at':'2026-11-21T12:04:00Z'}")))
                .as("within the allowed clock skew").isNotNull();
    }

    @Test
    void enforcesTheLimits() {
        String big = "x".repeat(1001);
        assertThat(violationsOf("{'url':'https://a.org/','fetched_at':'2026-11-20T10:15:30Z','body':'" + big
                        + "','title':'" + "t".repeat(51) + "','metadata':{'k':'" + "m".repeat(100) + "'},'status':600}"))
                .extracting(Violation::field, Violation::code)
                .containsExactlyInAnyOrder(
                        tuple("body", Code.TOO_LARGE),
                        tuple("title", Code.TOO_LONG),
                        tuple("metadata", Code.TOO_LARGE),
                        tuple("status", Code.OUT_OF_RANGE));
    }

    @Test
    void bodySizeIsCountedInUtf8Bytes() {
        String body = "é".repeat(501); // 1002 bytes in UTF-8, 501 chars
        assertThat(violationsOf("{'url':'https://a.org/','fetched_at':'2026-11-20T10:15:30Z','body':'" + body + "'}"))
                .extracting(Violation::code).containsExactly(Code.TOO_LARGE);
    }

    @Test
    void refusesTheNulCharacterThatPostgresqlCannotStore() {
        assertThat(violationsOf("{'url':'https://a.org/','fetched_at':'2026-11-20T10:15:30Z','body':'a\\u0000b','metadata':{'x':'\\u0000'}}"))
                .extracting(Violation::field, Violation::code)
                .containsExactlyInAnyOrder(tuple("body", Code.INVALID), tuple("metadata", Code.INVALID));
    }

    @Test
    void metadataMustBeAnObjectAndAPageMustBeAnObject() {
        assertThat(violationsOf("{'url':'https://a.org/','fetched_at':'2026-11-20T10:15:30Z','metadata':[1]}"))
                .extracting(Violation::message).containsExactly("metadata must be a JSON object");
        assertThat(violationsOf("[1,2]"))
                .extracting(Violation::field, Violation::message).containsExactly(tuple(null, "a page must be a JSON object"));
    }

    @Test
    void throwsWithAllViolationsWhenAskedTo() {
        assertThatThrownBy(() -> parser.parse(json("{'url':'https://a.org/'}")))
                .isInstanceOfSatisfying(PageValidationException.class, e -> assertThat(e.violations()).hasSize(1))
                .hasMessage("fetched_at is required");
    }

    @Test
    void nullsCountAsAbsent() {
        Page page = parser.parse(json("{'url':'https://a.org/','fetched_at':'2026-11-20T10:15:30Z','title':null,'metadata':null}"));
        assertThat(page.title()).isNull();
        assertThat(page.metadata().isEmpty()).isTrue();
    }
}
