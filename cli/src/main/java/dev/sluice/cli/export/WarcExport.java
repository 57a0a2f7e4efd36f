package dev.sluice.cli.export;

import dev.sluice.cli.shell.Version;
import dev.sluice.core.json.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.MessageVersion;
import org.netpreserve.jwarc.URIs;
import org.netpreserve.jwarc.WarcCompression;
import org.netpreserve.jwarc.WarcDigest;
import org.netpreserve.jwarc.WarcResponse;
import org.netpreserve.jwarc.WarcWriter;
import org.netpreserve.jwarc.Warcinfo;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pages as a WARC/1.1 file that standard replay tools open: a {@code warcinfo} record, then one {@code response}
 * record per page (its HTTP response rebuilt: status, content type with charset=utf-8, the body in UTF-8;
 * {@code WARC-Date} its fetch time; {@code WARC-Payload-Digest} the SHA-1 of the body), each its own gzip member;
 * and a CDXJ index beside it ({@code <file>.cdxj}: SURT, timestamp, and the record's offset and length, sorted).
 * The page's content type, title and metadata ride along as the extension fields {@code Sluice-Content-Type},
 * {@code Sluice-Title} and {@code Sluice-Metadata}, so that {@code sluice import --format warc} takes the file back
 * to the same pages.
 */
final class WarcExport implements AutoCloseable {

    static final String TITLE = "Sluice-Title";
    static final String METADATA = "Sluice-Metadata";
    static final String CONTENT_TYPE = "Sluice-Content-Type";
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    private final Path file;
    private final WarcWriter writer;
    private final List<String> index = new ArrayList<>();

    WarcExport(Path file) throws IOException {
        this.file = file;
        this.writer = new WarcWriter(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
                WarcCompression.GZIP);
        Map<String, List<String>> fields = new LinkedHashMap<>();
        fields.put("software", List.of("Sluice " + Version.release() + " (sluice export --format warc)"));
        fields.put("format", List.of("WARC File Format 1.1"));
        writer.write(new Warcinfo.Builder().version(MessageVersion.WARC_1_1).filename(file.getFileName().toString()).fields(fields).build());
    }

    void write(String url, Instant fetchedAt, Integer status, String title, String contentType, String body, ObjectNode metadata) throws IOException {
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        // the body is written as UTF-8, so the HTTP header says so; the page's own content type rides along as it was
        MediaType declared = contentType == null ? null : MediaType.parseLeniently(contentType);
        MediaType type = MediaType.parse(declared == null ? "application/octet-stream"
                : declared.base() + (body != null ? ";charset=utf-8" : ""));
        HttpResponse http = new HttpResponse.Builder(status == null ? 200 : status, "OK").body(type, payload).build();
        WarcDigest digest = new WarcDigest(sha1(payload));
        WarcResponse.Builder record = new WarcResponse.Builder(url).version(MessageVersion.WARC_1_1).date(fetchedAt).body(MediaType.HTTP_RESPONSE, http)
                .payloadDigest(digest);
        if (contentType != null) {
            record.addHeader(CONTENT_TYPE, contentType);
        }
        if (title != null) {
            record.addHeader(TITLE, title.replaceAll("[\\r\\n]+", " "));
        }
        if (metadata != null && !metadata.isEmpty()) {
            record.addHeader(METADATA, Json.mapper().writeValueAsString(metadata));
        }
        long offset = writer.position();
        writer.write(record.build());
        long length = writer.position() - offset;
        ObjectNode fields = Json.mapper().createObjectNode().put("url", url).put("mime", type.base().toString())
                .put("status", Integer.toString(status == null ? 200 : status)).put("digest", digest.prefixedBase32())
                .put("length", Long.toString(length)).put("offset", Long.toString(offset)).put("filename", file.getFileName().toString());
        index.add(URIs.toNormalizedSurt(url) + " " + TIMESTAMP.format(fetchedAt) + " " + Json.mapper().writeValueAsString(fields));
    }

    /** The CDXJ index's path: beside the WARC file. */
    Path indexFile() {
        return file.resolveSibling(file.getFileName() + ".cdxj");
    }

    @Override
    public void close() throws IOException {
        writer.close();
        index.sort(null); // SURT then timestamp: the order replay tools binary-search
        Files.write(indexFile(), index, StandardCharsets.UTF_8);
    }

    private static MessageDigest sha1(byte[] payload) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-1");
            digest.update(payload);
            return digest;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
