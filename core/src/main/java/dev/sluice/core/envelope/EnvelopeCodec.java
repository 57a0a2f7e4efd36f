package dev.sluice.core.envelope;

import dev.sluice.core.json.Json;
import dev.sluice.core.page.Page;
import dev.sluice.core.page.PageLimits;
import dev.sluice.core.page.PageParser;
import dev.sluice.core.page.PageUrl;
import dev.sluice.core.page.PageValidationException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.JsonNode;

/**
 * The versioned JSON form of {@link PageEnvelope} on {@code pages.v1}:
 *
 * <pre>{@code
 * {"v":1,"op":"upsert","id":"…","accepted_at":"2026-11-20T10:15:31.2Z","client":"crawler-eu",
 *  "page":{"url":"…","fetched_at":"…","status":200,"title":"…","content_type":"text/html","body":"…","metadata":{}}}
 * }</pre>
 *
 * A delete has no {@code page}. Readers refuse a {@code v} they do not know, and re-validate the page with the
 * same rules as the API: the topic may be written by other producers (a replay, an operator), and a bad record
 * must become a dead letter with a reason, not a database error.
 */
public final class EnvelopeCodec {

    private static final DateTimeFormatter INSTANT = DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC);

    private final PageParser pageParser;

    /** A codec whose reader applies {@code limits} but not the future-timestamp rule (that is the API's, at accept time). */
    public EnvelopeCodec(PageLimits limits) {
        PageLimits noSkewRule = new PageLimits(limits.maxUrlLength(), limits.maxTitleLength(),
                limits.maxContentTypeLength(), limits.maxBodyBytes(), limits.maxMetadataBytes(),
                Duration.ofDays(365_000));
        this.pageParser = new PageParser(noSkewRule, Clock.systemUTC());
    }

    public EnvelopeCodec() {
        this(PageLimits.DEFAULTS);
    }

    public byte[] encode(PageEnvelope envelope) {
        Page page = envelope.page();
        int estimate = 256 + (page != null && page.body() != null ? page.body().length() + page.body().length() / 8 : 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream(estimate);
        try (JsonGenerator json = Json.mapper().createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberProperty("v", PageEnvelope.FORMAT_VERSION);
            json.writeStringProperty("op", envelope.op().value());
            json.writeStringProperty("id", envelope.id());
            json.writeStringProperty("accepted_at", INSTANT.format(envelope.acceptedAt()));
            json.writeStringProperty("client", envelope.client());
            if (page != null) {
                json.writeName("page");
                writePage(json, page);
            }
            json.writeEndObject();
        }
        return out.toByteArray();
    }

    /**
     * Upserts whose page is embedded exactly as it was posted, all accepted at one moment by one client (a request).
     * The caller has validated each page with the same rules readers apply; readers re-validate and normalise it.
     * Copying the posted bytes, and formatting what the pages share once, saves re-serialising every page: the API's
     * largest own cost per page after compression (measured).
     */
    public PostedUpserts postedUpserts(Instant acceptedAt, String client) {
        return new PostedUpserts(acceptedAt, client);
    }

    /** One upsert with its page embedded as posted; see {@link #postedUpserts}. */
    public byte[] encodeUpsert(String id, Instant acceptedAt, String client, byte[] postedPage) {
        return postedUpserts(acceptedAt, client).encode(id, postedPage);
    }

    /** Encodes upserts sharing an accepted time and a client. */
    public static final class PostedUpserts {

        private static final byte[] HEAD = ("{\"v\":" + PageEnvelope.FORMAT_VERSION + ",\"op\":\"upsert\",\"id\":\"")
                .getBytes(StandardCharsets.UTF_8);
        private final byte[] afterId;

        private PostedUpserts(Instant acceptedAt, String client) {
            this.afterId = ("\",\"accepted_at\":\"" + INSTANT.format(acceptedAt) + "\",\"client\":\""
                    + new String(JsonStringEncoder.getInstance().quoteAsCharArray(client)) + "\",\"page\":")
                    .getBytes(StandardCharsets.UTF_8);
        }

        /** @param id the page id of {@code postedPage} (32 ASCII characters) */
        public byte[] encode(String id, byte[] postedPage) {
            byte[] envelope = new byte[HEAD.length + id.length() + afterId.length + postedPage.length + 1];
            int at = 0;
            System.arraycopy(HEAD, 0, envelope, at, HEAD.length);
            at += HEAD.length;
            for (int i = 0; i < id.length(); i++) {
                envelope[at++] = (byte) id.charAt(i);
            }
            System.arraycopy(afterId, 0, envelope, at, afterId.length);
            at += afterId.length;
            System.arraycopy(postedPage, 0, envelope, at, postedPage.length);
            envelope[envelope.length - 1] = '}';
            return envelope;
        }
    }

    /** Writes a page in its posted form (the normalised URL stands for the one posted). */
    public static void writePage(JsonGenerator json, Page page) {
        json.writeStartObject();
        json.writeStringProperty("url", page.url().normalized());
        json.writeStringProperty("fetched_at", INSTANT.format(page.fetchedAt()));
        if (page.status() != null) json.writeNumberProperty("status", page.status());
        if (page.title() != null) json.writeStringProperty("title", page.title());
        if (page.contentType() != null) json.writeStringProperty("content_type", page.contentType());
        if (page.body() != null) json.writeStringProperty("body", page.body());
        json.writeName("metadata");
        json.writePOJO(page.metadata());
        json.writeEndObject();
    }

    /**
     * Reads an envelope.
     *
     * @throws EnvelopeFormatException naming what is wrong; such a record is poison
     */
    public PageEnvelope decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new EnvelopeFormatException("empty record value");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(bytes);
        } catch (JacksonException e) {
            throw new EnvelopeFormatException("value is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new EnvelopeFormatException("value is not a JSON object");
        }
        JsonNode version = root.get("v");
        if (version == null || !version.isIntegralNumber()) {
            throw new EnvelopeFormatException("envelope has no format version 'v'");
        }
        if (version.intValue() != PageEnvelope.FORMAT_VERSION) {
            throw new EnvelopeFormatException("unsupported envelope version " + version.asString()
                    + " (this reader knows " + PageEnvelope.FORMAT_VERSION + ")");
        }
        Op op = Op.parse(requiredText(root, "op"));
        String id = requiredText(root, "id");
        if (!PageUrl.isValidId(id)) {
            throw new EnvelopeFormatException("id is not a page id: '" + id + "'");
        }
        Instant acceptedAt;
        try {
            acceptedAt = PageParser.parseTimestamp(requiredText(root, "accepted_at"));
        } catch (DateTimeParseException e) {
            throw new EnvelopeFormatException("accepted_at is not an RFC 3339 timestamp");
        }
        String client = requiredText(root, "client");
        if (op == Op.DELETE) {
            return PageEnvelope.delete(id, acceptedAt, client);
        }
        Page page;
        try {
            page = pageParser.parse(root.get("page"));
        } catch (PageValidationException e) {
            throw new EnvelopeFormatException("invalid page: " + e.getMessage(), e);
        }
        if (!page.id().equals(id)) {
            throw new EnvelopeFormatException("id " + id + " is not the id of " + page.url().normalized()
                    + " (" + page.id() + ")");
        }
        return PageEnvelope.upsert(page, acceptedAt, client);
    }

    private static String requiredText(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isString()) {
            throw new EnvelopeFormatException("envelope field '" + field + "' is missing or not a string");
        }
        return node.stringValue();
    }
}
