package dev.sluice.api.edge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;

/**
 * A seeded generator of HTTP/1.1 requests an attacker, a broken crawler or a confused proxy would send to the API:
 * paths spelled every other way, lying or contradictory framing, odd methods and media types, truncated, deep,
 * huge, mistyped and invalid-UTF-8 JSON and NDJSON, gzip that lies about itself, forged cursors and tokens, and,
 * among them, valid pages (which must be accepted, and later readable). One seed gives one sequence.
 */
final class HostileRequests {

    /** A valid page among the requests: accepted, it must be readable afterwards with this title. */
    record ValidPage(String url, String title) {}

    /**
     * @param kind what family of abuse it is (reported with a failure)
     * @param what a short description of this one
     * @param head the request line and headers, ending with the empty line
     * @param body what follows the head
     * @param valid the valid pages it carries if it is a valid write, else empty
     */
    record Request(String kind, String what, byte[] head, byte[] body, List<ValidPage> valid) {

        String method() {
            String line = new String(head, 0, Math.min(head.length, 16), StandardCharsets.ISO_8859_1);
            int space = line.indexOf(' ');
            return space > 0 ? line.substring(0, space) : line;
        }

        /** The same bytes make the same request. */
        String identity() {
            return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(head, Math.min(head.length, 4096)))
                    + ":" + body.length + ":" + java.util.Arrays.hashCode(body);
        }
    }

    /** 64 MB of zeros, gzipped (about 64 KB), made once without holding the 64 MB. */
    private static final byte[] BOMB = zeros(64);

    private final Random random;
    private final String key;
    private final int port;
    private final String storedId;
    private final String realToken;
    private final String realCursor;
    private int serial;

    /**
     * @param storedId a page id that exists
     * @param realToken a Consistency-Token the API issued
     * @param realCursor a cursor the API issued for {@code /v1/sites/fuzz.example/pages}
     */
    HostileRequests(long seed, String key, int port, String storedId, String realToken, String realCursor) {
        this.random = new Random(seed);
        this.key = key;
        this.port = port;
        this.storedId = storedId;
        this.realToken = realToken;
        this.realCursor = realCursor;
    }

    Request next() {
        int dice = random.nextInt(100);
        if (dice < 20) {
            return validWrite();
        } else if (dice < 35) {
            return pathTrick();
        } else if (dice < 50) {
            return headerTrick();
        } else if (dice < 68) {
            return badJson();
        } else if (dice < 78) {
            return badNdjson();
        } else if (dice < 88) {
            return gzipAbuse();
        }
        return forged();
    }

    // ---------------------------------------------------------------- valid

    private Request validWrite() {
        int pages = random.nextInt(4) == 0 ? 1 + random.nextInt(5) : 1;
        List<ValidPage> valid = new ArrayList<>();
        List<String> json = new ArrayList<>();
        for (int i = 0; i < pages; i++) {
            ValidPage page = new ValidPage("https://fuzz-" + random.nextInt(8) + ".example/valid/" + (serial++) + "?q=" + random.nextInt(1000),
                    "Valid " + randomText(1 + random.nextInt(40)));
            valid.add(page);
            json.add(page(page.url(), page.title(), randomText(random.nextInt(2000))));
        }
        boolean gzip = random.nextInt(4) == 0;
        if (pages == 1 && random.nextBoolean()) {
            byte[] body = bytes(json.get(0));
            return new Request("valid", "a page" + (gzip ? ", gzip" : ""), post("/v1/pages", "application/json", gzip ? gzip(body) : body, gzip),
                    gzip ? gzip(body) : body, valid);
        }
        boolean ndjson = random.nextBoolean();
        byte[] body = bytes(ndjson ? String.join("\n", json) + "\n" : "[" + String.join(",", json) + "]");
        byte[] sent = gzip ? gzip(body) : body;
        return new Request("valid", pages + " pages as " + (ndjson ? "NDJSON" : "a JSON array") + (gzip ? ", gzip" : ""),
                post("/v1/pages/batch", ndjson ? "application/x-ndjson" : "application/json", sent, gzip), sent, valid);
    }

    // ---------------------------------------------------------------- paths

    private static final List<Function<String, String>> PATH_MUTATIONS = List.of(
            p -> p.replaceFirst("/v1", "/v1;x=" + "y"),
            p -> p.replace("/pages", "/pages;jsessionid=1"),
            p -> p + ";",
            p -> p.replaceFirst("/v1", "/%76%31"),
            p -> p.replace("/pages", "/%70ages"),
            p -> p.replaceFirst("/v1/", "/v1%2F"),
            p -> p.replaceFirst("/v1/", "/v1%2f"),
            p -> "/" + p,
            p -> p.replaceFirst("/v1/", "/v1//"),
            p -> "/." + p,
            p -> p.replaceFirst("/v1/", "/v1/./"),
            p -> p.replaceFirst("/v1/", "/v1/x/../"),
            p -> p.replaceFirst("/v1/", "/v1/%2e%2e/v1/"),
            p -> p.replaceFirst("/v1/", "/v1/%2E/"),
            p -> p.toUpperCase(),
            p -> p.replace('/', '\\'),
            p -> p + "/",
            p -> p + "%00",
            p -> p + "%",
            p -> p + "%zz",
            p -> p + "%C0%AF",
            p -> p + "\u00e9",
            p -> p + "#fragment",
            p -> p + "?" + "a=".repeat(500),
            p -> p + "?cursor=%%%%",
            p -> p + "?limit=-1&limit=999999999999",
            p -> p + "/" + "x".repeat(1100),
            p -> "http://evil.example" + p,
            p -> "*",
            p -> "",
            p -> p.replace("/v1", "/v2"),
            p -> p.replace("/v1", "/actuator"),
            p -> "/actuator/env",
            p -> "/actuator/prometheus",
            p -> "/../../etc/passwd",
            p -> "/v1/pages/" + "0".repeat(32) + "/../../sites/x/stats");

    private static final List<String> METHODS = List.of("GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD", "TRACE",
            "CONNECT", "PROPFIND", "get", "G ET", "\u0000GET");

    private Request pathTrick() {
        String route = pick(List.of("/v1/pages/" + storedId, "/v1/pages", "/v1/pages/batch", "/v1/sites/fuzz.example/pages",
                "/v1/sites/fuzz.example/stats", "/v1/search?q=valid", "/v1/pages?url=https://fuzz-1.example/valid/1"));
        int mutations = 1 + random.nextInt(2);
        String path = route;
        StringBuilder what = new StringBuilder();
        for (int i = 0; i < mutations; i++) {
            int which = random.nextInt(PATH_MUTATIONS.size());
            path = PATH_MUTATIONS.get(which).apply(path);
            what.append(i == 0 ? "" : "+").append("m").append(which);
        }
        String method = random.nextInt(3) == 0 ? pick(METHODS) : route.contains("batch") || route.equals("/v1/pages") ? "POST" : "GET";
        boolean withKey = random.nextInt(4) != 0;
        byte[] body = method.equals("POST") ? bytes(page("https://fuzz.example/path", "Path", "x")) : new byte[0];
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n").append(host());
        if (withKey) {
            head.append("Authorization: Bearer ").append(key).append("\r\n");
        }
        if (body.length > 0) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        return new Request("path", method + " " + abbreviate(path) + " (" + what + (withKey ? "" : ", no key") + ")",
                head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8), body, List.of());
    }

    // ---------------------------------------------------------------- headers

    private Request headerTrick() {
        byte[] body = bytes(page("https://fuzz.example/header/" + random.nextInt(1_000_000), "Header", "x"));
        int trick = random.nextInt(26);
        String auth = "Authorization: Bearer " + key + "\r\n";
        String type = "Content-Type: application/json\r\n";
        String length = "Content-Length: " + body.length + "\r\n";
        String headers;
        String what;
        byte[] sent = body;
        switch (trick) {
            case 0 -> { headers = type + length; what = "no Authorization"; }
            case 1 -> { headers = "Authorization: Bearer \r\n" + type + length; what = "empty bearer"; }
            case 2 -> { headers = "Authorization: Basic " + Base64.getEncoder().encodeToString(bytes("a:b")) + "\r\n" + type + length; what = "basic auth"; }
            case 3 -> { headers = "Authorization: Bearer " + randomToken(20 + random.nextInt(200)) + "\r\n" + type + length; what = "forged key"; }
            case 4 -> { headers = "Authorization: Bearer " + "k".repeat(9000) + "\r\n" + type + length; what = "9 KB key"; }
            case 5 -> { headers = auth + auth.replace(key, "x") + type + length; what = "two Authorization headers"; }
            case 6 -> { headers = auth + length; what = "no Content-Type"; }
            case 7 -> { headers = auth + "Content-Type: " + pick(List.of("text/plain", "application/xml", "multipart/form-data; boundary=x",
                    "application/json; charset=utf-16", "application/json; charset=bogus", "*/*", "application/*", "json", ";;;", "application/json;"
                    + "a=b;".repeat(200), "application/merge-patch+json", "application/x-www-form-urlencoded")) + "\r\n" + length; what = "media type"; }
            case 8 -> { headers = auth + type + "Content-Length: " + (body.length + 1 + random.nextInt(100)) + "\r\n"; what = "Content-Length longer than the body"; }
            case 9 -> { headers = auth + type + "Content-Length: " + Math.max(0, body.length - 1 - random.nextInt(10)) + "\r\n"; what = "Content-Length shorter than the body"; }
            case 10 -> { headers = auth + type + length + length; what = "Content-Length twice"; }
            case 11 -> { headers = auth + type + "Content-Length: " + body.length + "\r\nContent-Length: " + (body.length + 5) + "\r\n"; what = "two different Content-Lengths"; }
            case 12 -> { headers = auth + type + "Content-Length: -" + body.length + "\r\n"; what = "negative Content-Length"; }
            case 13 -> { headers = auth + type + "Content-Length: 0x" + Integer.toHexString(body.length) + "\r\n"; what = "hex Content-Length"; }
            case 14 -> { headers = auth + type + "Content-Length: 99999999999999999999\r\n"; what = "huge Content-Length"; }
            case 15 -> { headers = auth + type + length + "Transfer-Encoding: chunked\r\n"; sent = chunked(body); what = "Content-Length and chunked"; }
            case 16 -> { headers = auth + type + "Transfer-Encoding: " + pick(List.of("gzip", "identity", "chunked, chunked", "xchunked", "chunked;x", "Chunked"))
                    + "\r\n"; sent = chunked(body); what = "odd Transfer-Encoding"; }
            case 17 -> { headers = auth + type + "Transfer-Encoding: chunked\r\n"; sent = bytes("zz\r\n" + new String(body, StandardCharsets.UTF_8) + "\r\n0\r\n\r\n"); what = "bad chunk size"; }
            case 18 -> { headers = auth + type + "Transfer-Encoding: chunked\r\n"; sent = bytes("ffffffffffffff\r\nabc\r\n"); what = "huge chunk size"; }
            case 19 -> { headers = auth + type + length + "X-Big: " + "b".repeat(10_000 + random.nextInt(20_000)) + "\r\n"; what = "a huge header"; }
            case 20 -> { headers = auth + type + length + "X-Many: 1\r\n".repeat(500 + random.nextInt(1000)); what = "many headers"; }
            case 21 -> { headers = auth + type + length + "X-Folded: a\r\n  folded\r\n"; what = "obs-fold"; }
            case 22 -> { headers = auth + type + length + "X-Nul: a\u0000b\r\n"; what = "NUL in a header"; }
            case 23 -> { headers = auth + type + length + "Bad Header: x\r\n"; what = "space in a header name"; }
            case 24 -> { headers = auth + type + length + "Expect: " + pick(List.of("100-continue", "200-ok", "x")) + "\r\n"; what = "Expect"; }
            default -> { headers = auth + type + length + "Accept: " + pick(List.of("application/xml", "text/html;q=0", "*/*;q=abc", "")) + "\r\n"; what = "Accept"; }
        }
        String method = random.nextInt(5) == 0 ? "GET" : "POST";
        String target = method.equals("GET") ? "/v1/pages/" + storedId : "/v1/pages";
        String version = random.nextInt(20) == 0 ? pick(List.of("HTTP/1.0", "HTTP/2.0", "HTTP/9.9", "HTTPS/1.1", "HTTP/1.1 extra")) : "HTTP/1.1";
        String head = method + " " + target + " " + version + "\r\n" + host() + headers + "\r\n";
        return new Request("header", method + " " + what + (version.equals("HTTP/1.1") ? "" : ", " + version),
                head.getBytes(StandardCharsets.UTF_8), sent, List.of());
    }

    // ---------------------------------------------------------------- JSON

    private Request badJson() {
        String valid = page("https://fuzz.example/json/" + random.nextInt(1_000_000), "Json", randomText(200));
        int trick = random.nextInt(20);
        byte[] body;
        String what;
        switch (trick) {
            case 0 -> { body = bytes(valid.substring(0, random.nextInt(valid.length()))); what = "truncated"; }
            case 1 -> { body = bytes("{\"url\":\"https://fuzz.example/deep\",\"fetched_at\":\"2026-11-20T10:15:30Z\",\"metadata\":"
                    + "{\"a\":".repeat(50 + random.nextInt(5000)) + "1" + "}".repeat(random.nextInt(3000)) + "}"); what = "deep nesting"; }
            case 2 -> { body = bytes("[".repeat(1000 + random.nextInt(100_000))); what = "unclosed arrays"; }
            case 3 -> { body = withInvalidUtf8(bytes(valid)); what = "invalid UTF-8"; }
            case 4 -> { body = bytes(valid.replace("\"Json\"", "\"" + "t".repeat(100_000 + random.nextInt(2_000_000)) + "\"")); what = "huge title"; }
            case 5 -> { body = bytes(valid.replace("\"status\":200", "\"status\":" + "9".repeat(50 + random.nextInt(10_000)))); what = "huge number"; }
            case 6 -> { body = bytes(valid.replace("\"status\":200", "\"status\":" + pick(List.of("\"200\"", "true", "null", "[]", "{}", "2.5", "-1", "1e999", "NaN")))); what = "status mistyped"; }
            case 7 -> { body = bytes(valid.replace("\"https://fuzz.example", "\"" + pick(List.of("javascript:alert(1)//", "ftp://x", "https://",
                    "https://" + "a".repeat(3000) + ".example", "https://exa mple.com", "//no-scheme.example", "https://[::1", "https://ex%00ample.com",
                    "https://xn--.example", "file:///etc/passwd")))); what = "bad url"; }
            case 8 -> { body = bytes(valid.replace("2026-11-20T10:15:30Z", pick(List.of("yesterday", "2026-13-45T99:99:99Z", "9999-12-31T23:59:59Z",
                    "0000-01-01T00:00:00Z", "", "2026-11-20", "1700000000", "2026-11-20T10:15:30.123456789123Z")))); what = "bad fetched_at"; }
            case 9 -> { StringBuilder fields = new StringBuilder(valid.substring(0, valid.length() - 1));
                for (int i = 0, n = random.nextInt(20_000); i < n; i++) {
                    fields.append(",\"u").append(i).append("\":").append(i);
                }
                body = bytes(fields.append('}').toString()); what = "unknown fields"; }
            case 10 -> { body = bytes(valid.replace("{\"url\"", "{\"title\":\"first\",\"title\":\"second\",\"url\"")); what = "duplicate keys"; }
            case 11 -> { body = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, bytes(valid)); what = "byte-order mark"; }
            case 12 -> { body = bytes(pick(List.of("", " ", "null", "true", "0", "\"page\"", "[]", "{}", "[{}]", "{\"url\":null}", "//\n{}", "/* c */{}",
                    "{'url':'x'}", "{\"url\":\"https://fuzz.example/\"} trailing", "{\"url\":\"https://fuzz.example/\",}"))); what = "odd document"; }
            case 13 -> { body = bytes(valid.replace("\"metadata\":{}", "\"metadata\":" + pick(List.of("[]", "\"x\"", "1", "{\"k\":\"" + "v".repeat(300_000) + "\"}"))));
                what = "metadata"; }
            case 14 -> { body = bytes(valid.replace("Json", "\\ud800 lone surrogate \\u0000 nul \\uZZZZ")); what = "bad escapes"; }
            case 15 -> { body = bytes(valid.replace("{\"url\"", "{\"" + "n".repeat(5000) + "\":1,\"url\"")); what = "long field name"; }
            case 16 -> { body = bytes("[" + (valid + ",").repeat(1 + random.nextInt(3)) + valid + "]"); what = "array to the single-page route"; }
            case 17 -> { body = bytes(valid.replace("\"body\":\"", "\"body\":\"" + "\\u00e9".repeat(random.nextInt(500_000)))); what = "escaped body"; }
            case 18 -> { body = new byte[random.nextInt(4096)];
                random.nextBytes(body); what = "random bytes"; }
            default -> { body = bytes(valid.replace("\"content_type\":\"text/html\"", "\"content_type\":" + pick(List.of("1", "\"" + "x".repeat(5000) + "\"", "\"\\n\""))));
                what = "content_type"; }
        }
        boolean batch = random.nextInt(3) == 0;
        return new Request("json", what + (batch ? " (batch route)" : ""),
                post(batch ? "/v1/pages/batch" : "/v1/pages", "application/json", body, false), body, List.of());
    }

    private Request badNdjson() {
        StringBuilder body = new StringBuilder();
        int lines = 1 + random.nextInt(30);
        String what;
        int trick = random.nextInt(8);
        for (int i = 0; i < lines; i++) {
            String line = page("https://fuzz.example/ndjson/" + random.nextInt(1_000_000), "Line " + i, randomText(50));
            body.append(i == lines / 2 ? switch (trick) {
                case 0 -> line.substring(0, line.length() / 2);
                case 1 -> "";
                case 2 -> "   ";
                case 3 -> "[" + line + "]";
                case 4 -> line + line;
                case 5 -> "{\"url\":\"https://fuzz.example/" + "x".repeat(random.nextInt(40_000)) + "\"}";
                case 6 -> "\u0000\u0001\u0002";
                default -> "{\"url\":" + "[".repeat(random.nextInt(10_000)) + "}";
            } : line).append(random.nextInt(5) == 0 ? "\r\n" : "\n");
        }
        what = lines + " lines, one bad (" + trick + ")";
        byte[] bytes = bytes(body.toString());
        if (random.nextInt(6) == 0) {
            bytes = withInvalidUtf8(bytes);
            what += ", invalid UTF-8";
        }
        if (random.nextInt(8) == 0) {
            bytes = bytes("\n".repeat(1000 + random.nextInt(100_000)));
            what = "only newlines";
        }
        if (random.nextInt(10) == 0) {
            StringBuilder many = new StringBuilder();
            for (int i = 0; i < 1001 + random.nextInt(500); i++) {
                many.append("{\"url\":\"https://fuzz.example/many/").append(i).append("\",\"fetched_at\":\"2026-11-20T10:15:30Z\"}\n");
            }
            bytes = bytes(many.toString());
            what = "more pages than a batch takes";
        }
        return new Request("ndjson", what, post("/v1/pages/batch", "application/x-ndjson", bytes, false), bytes, List.of());
    }

    // ---------------------------------------------------------------- gzip

    private Request gzipAbuse() {
        byte[] page = bytes(page("https://fuzz.example/gzip/" + random.nextInt(1_000_000), "Gzip", randomText(500)) + "\n");
        byte[] gz = gzip(page);
        int trick = random.nextInt(11);
        byte[] body;
        String encoding = "gzip";
        String what;
        switch (trick) {
            case 0 -> { body = java.util.Arrays.copyOf(gz, random.nextInt(gz.length)); what = "truncated"; }
            case 1 -> { body = gz.clone(); body[body.length - 5] ^= 0x5a; what = "bad CRC"; }
            case 2 -> { body = BOMB; what = "bomb (64 MB of zeros)"; }
            case 3 -> { body = concat(new byte[] {0x1f, (byte) 0x8b, 8, 8, 0, 0, 0, 0, 0, 3}, "n".repeat(10_000 + random.nextInt(500_000)).getBytes(StandardCharsets.ISO_8859_1));
                what = "FNAME never ended"; }
            case 4 -> { body = concat(new byte[] {0x1f, (byte) 0x8b, 8, 16, 0, 0, 0, 0, 0, 3}, "c".repeat(10_000 + random.nextInt(100_000)).getBytes(StandardCharsets.ISO_8859_1));
                what = "FCOMMENT never ended"; }
            case 5 -> { body = concat(new byte[] {0x1f, (byte) 0x8b, 8, 4, 0, 0, 0, 0, 0, 3, (byte) 0xff, (byte) 0xff}, new byte[1000]); what = "FEXTRA longer than the body"; }
            case 6 -> { body = page; what = "plain body said to be gzip"; }
            case 7 -> { body = concat(gz, gz); what = "two members"; }
            case 8 -> { body = gz; encoding = pick(List.of("deflate", "br", "zstd", "x-unknown", "gzip, gzip", "GZIP", "identity", "gzip;q=1", "")); what = "encoding " + encoding; }
            case 9 -> { body = gzip(gz); encoding = "gzip, gzip"; what = "gzip twice"; }
            default -> { body = concat(gz, new byte[] {1, 2, 3, 4}); what = "trailing garbage"; }
        }
        String target = random.nextBoolean() ? "/v1/pages/batch" : "/v1/pages";
        String type = target.endsWith("batch") ? "application/x-ndjson" : "application/json";
        String head = "POST " + target + " HTTP/1.1\r\n" + host() + "Authorization: Bearer " + key + "\r\nContent-Type: " + type
                + "\r\nContent-Encoding: " + encoding + "\r\nContent-Length: " + body.length + "\r\n\r\n";
        return new Request("gzip", what, head.getBytes(StandardCharsets.UTF_8), body, List.of());
    }

    // ---------------------------------------------------------------- forged cursors and tokens

    private Request forged() {
        int trick = random.nextInt(8);
        String target;
        String extra = "";
        String what;
        switch (trick) {
            case 0 -> { target = "/v1/sites/fuzz.example/pages?cursor=" + urlSafe(randomToken(1 + random.nextInt(300))); what = "random cursor"; }
            case 1 -> { target = "/v1/sites/fuzz.example/pages?cursor=" + tamper(realCursor); what = "tampered cursor"; }
            case 2 -> { target = "/v1/sites/other.example/pages?cursor=" + realCursor; what = "cursor of another list"; }
            case 3 -> { target = "/v1/search?q=valid&cursor=" + urlSafe(randomToken(1 + random.nextInt(300))); what = "random search cursor"; }
            case 4 -> { target = "/v1/pages/" + storedId; extra = "Consistency-Token: " + tamper(realToken) + "\r\n"; what = "tampered token"; }
            case 5 -> { target = "/v1/pages/" + storedId; extra = "Consistency-Token: " + randomToken(1 + random.nextInt(2000)) + "\r\n"; what = "random token"; }
            case 6 -> { target = "/v1/search?q=" + searchQuery(); what = "search query"; }
            default -> { target = "/v1/pages?url=" + pick(List.of("", "javascript:x", "https%3A%2F%2Ffuzz.example%2F", "https://" + "a".repeat(900) + ".example/"));
                what = "lookup by url"; }
        }
        String head = "GET " + target + " HTTP/1.1\r\n" + host() + "Authorization: Bearer " + key + "\r\n" + extra + "\r\n";
        return new Request("forged", what, head.getBytes(StandardCharsets.UTF_8), new byte[0], List.of());
    }

    private String searchQuery() {
        return switch (random.nextInt(6)) {
            case 0 -> "a+or+".repeat(1 + random.nextInt(200)) + "b";
            case 1 -> "%22" + "x".repeat(random.nextInt(600)) + "%22";
            case 2 -> "-%21%28%29%3A%26%7C%5C%27";
            case 3 -> "";
            case 4 -> "%E2%80%AE%F0%9F%98%80+%00";
            default -> urlSafe(randomText(1 + random.nextInt(100)));
        };
    }

    // ---------------------------------------------------------------- pieces

    private byte[] post(String target, String type, byte[] body, boolean gzip) {
        return ("POST " + target + " HTTP/1.1\r\n" + host() + "Authorization: Bearer " + key + "\r\nContent-Type: " + type + "\r\n"
                + (gzip ? "Content-Encoding: gzip\r\n" : "") + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private String host() {
        return "Host: 127.0.0.1:" + port + "\r\n";
    }

    private String page(String url, String title, String body) {
        Instant fetched = Instant.parse("2026-11-20T10:15:30Z").plusMillis(random.nextInt(86_400_000));
        return "{\"url\":\"" + url + "\",\"fetched_at\":\"" + fetched + "\",\"status\":200,\"title\":\"" + title
                + "\",\"content_type\":\"text/html\",\"body\":\"" + body + "\",\"metadata\":{}}";
    }

    /** Letters, digits, spaces and a few non-ASCII characters: valid in JSON strings unescaped. */
    private String randomText(int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 éüß中文";
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private String randomToken(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~+/=";
        StringBuilder token = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            token.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return token.toString();
    }

    private String tamper(String text) {
        if (text.isEmpty()) {
            return "x";
        }
        char[] chars = text.toCharArray();
        int at = random.nextInt(chars.length);
        chars[at] = chars[at] == 'A' ? 'B' : 'A';
        return random.nextInt(4) == 0 ? new String(chars, 0, 1 + random.nextInt(chars.length)) : new String(chars);
    }

    private static String urlSafe(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private byte[] withInvalidUtf8(byte[] bytes) {
        byte[] copy = bytes.clone();
        byte[][] invalid = {{(byte) 0xC3}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xF8, (byte) 0x88}};
        byte[] bad = invalid[random.nextInt(invalid.length)];
        if (copy.length < bad.length) {
            return concat(copy, bad);
        }
        System.arraycopy(bad, 0, copy, random.nextInt(copy.length - bad.length + 1), bad.length);
        return copy;
    }

    private <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    private static byte[] chunked(byte[] body) {
        return concat(bytes(Integer.toHexString(body.length) + "\r\n"), body, bytes("\r\n0\r\n\r\n"));
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static byte[] zeros(int megabytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            byte[] megabyte = new byte[1024 * 1024];
            for (int i = 0; i < megabytes; i++) {
                gzip.write(megabyte);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String text) {
        return text.length() > 100 ? text.substring(0, 100) + "…(" + text.length() + ")" : text;
    }
}
