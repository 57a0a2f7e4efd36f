package dev.sluice.cli.importing;

import dev.sluice.cli.importing.PageLines.Line;
import dev.sluice.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.WarcCaptureRecord;
import org.netpreserve.jwarc.WarcReader;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResponse;
import org.netpreserve.jwarc.WarcRevisit;
import tools.jackson.databind.node.ObjectNode;

/**
 * The pages of a WARC file (gzip per record or not, WARC 1.0 or 1.1), as written by Heritrix, wget, Browsertrix or
 * Sluice's own export: each HTTP {@code response} record becomes a page (URL from {@code WARC-Target-URI},
 * {@code fetched_at} from {@code WARC-Date}, status, content type and body from the HTTP response, the body decoded
 * as a browser would: the header's charset, a byte-order mark, a {@code <meta charset>}, else UTF-8 when it is valid
 * UTF-8 and windows-1252 when not), with the payload's SHA-256 and the WARC's own digest in its metadata. A
 * {@code revisit} record (an unchanged re-fetch) becomes the same page fetched again at its date, taken from the
 * response it refers to in this file. Records are numbered from 1: a refused page is reported by its record number.
 */
final class WarcPages implements PageSource {

    /** Bodies kept for the revisit records that may refer to them: up to this much, the most recent first. */
    private static final long REVISIT_MEMORY_BYTES = 64L << 20;
    /** The extension fields of {@code sluice export --format warc}. */
    static final String SLUICE_TITLE = "Sluice-Title";
    static final String SLUICE_METADATA = "Sluice-Metadata";
    static final String SLUICE_CONTENT_TYPE = "Sluice-Content-Type";
    private static final Pattern META_CHARSET = Pattern.compile("(?i)<meta[^>]+charset\\s*=\\s*[\"']?([a-z0-9_.:-]+)");

    private final Path file;
    private final WarcReader reader;
    private final long maxBodyBytes;
    private final Map<String, Remembered> recentByDigest = new LinkedHashMap<>(16, 0.75f, true);

    private record Remembered(ObjectNode page, long bytes) {}
    private long rememberedBytes;
    private long number;

    WarcPages(Path file, AtomicLong bytesRead, long maxBodyBytes) throws IOException {
        this.file = file;
        this.maxBodyBytes = maxBodyBytes;
        this.reader = new WarcReader(new PageLines.Counting(Files.newInputStream(file), bytesRead));
        this.reader.setLenient(true); // archives in the wild bend the grammar (wget's among them)
    }

    @Override
    public Line next() throws IOException {
        for (Optional<WarcRecord> record = reader.next(); record.isPresent(); record = reader.next()) {
            number++;
            if (record.get() instanceof WarcResponse response && isHttp(response)) {
                return line(page(response));
            }
            if (record.get() instanceof WarcRevisit revisit) {
                return revisited(revisit);
            }
        }
        return null;
    }

    private Line line(ObjectNode page) {
        return new Line(file, number, Json.mapper().writeValueAsString(page));
    }

    private ObjectNode page(WarcResponse response) throws IOException {
        HttpResponse http = response.http();
        byte[] payload;
        try (InputStream body = http.bodyDecoded().stream()) {
            payload = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1)); // past the limit: the API names it
        }
        ObjectNode page = Json.mapper().createObjectNode();
        page.put("url", response.target());
        page.put("fetched_at", response.date().toString());
        page.put("status", http.status());
        MediaType type = http.contentType();
        String mime = type == null ? null : type.base().toString().toLowerCase(Locale.ROOT);
        // the content type as the server sent it (a Sluice export's: as the page had it)
        Optional<String> declared = response.headers().first(SLUICE_CONTENT_TYPE).or(() -> http.headers().first("Content-Type")).map(String::strip);
        declared.ifPresent(value -> page.put("content_type", value));
        ObjectNode metadata = page.putObject("metadata");
        // a Sluice export carries the page's own metadata and title: taken back as they were
        Optional<String> exportedMetadata = response.headers().first(SLUICE_METADATA);
        if (exportedMetadata.isPresent()) {
            metadata.setAll((ObjectNode) Json.mapper().readTree(exportedMetadata.get()));
        } else {
            metadata.put("warc_record_id", response.id().toString());
            metadata.put("sha256", "sha256:" + HexFormat.of().formatHex(sha256(payload)));
            metadata.put("length", payload.length);
            response.payloadDigest().ifPresent(digest -> metadata.put("warc_payload_digest", digest.prefixedBase32()));
        }
        if (isText(mime)) {
            Charset charset = charset(type, payload);
            String text = decode(payload, charset);
            if (exportedMetadata.isEmpty()) {
                metadata.put("charset", charset.name());
            }
            page.put("body", text);
            if (mime.contains("html") && exportedMetadata.isEmpty()) {
                String title = Jsoup.parse(text.length() > 1 << 20 ? text.substring(0, 1 << 20) : text).title();
                if (!title.isBlank()) {
                    page.put("title", title);
                }
            }
        }
        response.headers().first(SLUICE_TITLE).ifPresent(title -> page.put("title", title));
        response.payloadDigest().ifPresent(digest -> remember(digest.prefixedBase32(), page, payload.length));
        return page;
    }

    /** The page a revisit record says is unchanged, fetched again at the revisit's date, from the response it refers to. */
    private Line revisited(WarcRevisit revisit) {
        Remembered remembered = revisit.payloadDigest().map(digest -> recentByDigest.get(digest.prefixedBase32())).orElse(null);
        ObjectNode original = remembered == null ? null : remembered.page();
        if (original == null) {
            return new Line(file, number, "{\"url\":" + Json.mapper().writeValueAsString(revisit.target()) + "}",
                    "a revisit of a payload this file does not hold (" + revisit.payloadDigest().map(Object::toString).orElse("no digest")
                            + "): nothing to post");
        }
        ObjectNode page = original.deepCopy();
        page.put("url", revisit.target());
        page.put("fetched_at", revisit.date().toString());
        ((ObjectNode) page.get("metadata")).put("warc_record_id", revisit.id().toString()).put("warc_revisit", true);
        return line(page);
    }

    private void remember(String digest, ObjectNode page, long bytes) {
        Remembered replaced = recentByDigest.put(digest, new Remembered(page, bytes));
        rememberedBytes += bytes - (replaced == null ? 0 : replaced.bytes());
        var eldest = recentByDigest.entrySet().iterator();
        while (rememberedBytes > REVISIT_MEMORY_BYTES && eldest.hasNext()) {
            rememberedBytes -= eldest.next().getValue().bytes();
            eldest.remove();
        }
    }

    private static boolean isHttp(WarcCaptureRecord record) throws IOException {
        String type = record.contentType().base().toString();
        return type.equals("application/http");
    }

    private static boolean isText(String mime) {
        return mime != null && (mime.startsWith("text/") || mime.endsWith("+xml") || mime.endsWith("/xml") || mime.endsWith("json")
                || mime.endsWith("javascript"));
    }

    /** The header's charset, a byte-order mark, a {@code <meta charset>} in the first KiB, else UTF-8 if valid, else windows-1252. */
    static Charset charset(MediaType type, byte[] payload) {
        String declared = type == null ? null : type.parameters().get("charset");
        Optional<Charset> fromHeader = known(declared);
        if (fromHeader.isPresent()) {
            return fromHeader.get();
        }
        if (payload.length >= 3 && (payload[0] & 0xff) == 0xef && (payload[1] & 0xff) == 0xbb && (payload[2] & 0xff) == 0xbf) {
            return StandardCharsets.UTF_8;
        }
        if (payload.length >= 2 && ((payload[0] & 0xff) == 0xfe && (payload[1] & 0xff) == 0xff || (payload[0] & 0xff) == 0xff && (payload[1] & 0xff) == 0xfe)) {
            return StandardCharsets.UTF_16;
        }
        Matcher meta = META_CHARSET.matcher(new String(payload, 0, Math.min(payload.length, 1024), StandardCharsets.ISO_8859_1));
        if (meta.find()) {
            Optional<Charset> fromMeta = known(meta.group(1));
            if (fromMeta.isPresent()) {
                return fromMeta.get();
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload));
            return StandardCharsets.UTF_8;
        } catch (CharacterCodingException e) {
            return Charset.forName("windows-1252");
        }
    }

    private static Optional<Charset> known(String name) {
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        try {
            // as browsers do, a page labelled latin-1 is read as its superset windows-1252
            String label = name.strip().toLowerCase(Locale.ROOT);
            return Optional.of(label.equals("iso-8859-1") || label.equals("latin1") || label.equals("us-ascii")
                    ? Charset.forName("windows-1252") : Charset.forName(label));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String decode(byte[] payload, Charset charset) {
        String text = new String(payload, charset);
        return !text.isEmpty() && text.charAt(0) == '\uFEFF' ? text.substring(1) : text;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
