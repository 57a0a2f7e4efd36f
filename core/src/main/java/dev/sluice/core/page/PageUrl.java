package dev.sluice.core.page;

import java.io.ByteArrayOutputStream;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A page's URL in normal form, with the page id and site derived from it. One URL is one page.
 *
 * <p>Normalisation rules (RFC 3986 section 6, plus what crawlers expect):
 *
 * <ol>
 *   <li>Leading and trailing whitespace is trimmed; only absolute {@code http} and {@code https} URLs with a host are
 *       accepted, and user info ({@code user:pass@}) is refused rather than stored.
 *   <li>Scheme and host are lower-cased; an internationalised host is converted to its ASCII (punycode) form, so
 *       {@code bücher.example} and {@code xn--bcher-kva.example} are one site; a trailing dot on the host is dropped.
 *   <li>The default port (80 for http, 443 for https) and an empty port are dropped; other ports are kept.
 *   <li>The fragment ({@code #…}) is dropped: it never reaches the server.
 *   <li>An empty path becomes {@code /}; dot segments ({@code .}, {@code ..}) are resolved. A trailing slash is
 *       kept: {@code /a} and {@code /a/} are different resources to a server.
 *   <li>Percent-encoding is made canonical: hex digits upper-cased, unreserved characters decoded, characters
 *       not allowed in a URL (spaces, non-ASCII) encoded as UTF-8, so {@code /ü} and {@code /%c3%bc} are one page.
 *   <li>The query is kept as sent, parameter order included (servers may depend on it), except that an empty
 *       query ({@code ?} alone) is dropped.
 * </ol>
 *
 * <p>The page id is the first 128 bits of SHA-256 over the normal form, in lower-case hex (32 characters): stable,
 * URL-safe, and uniformly spread over Kafka partitions. The site is the normalised host, without port.
 */
public record PageUrl(String normalized, String id, String site) {

    public static final int ID_LENGTH = 32;


    private static final HexFormat HEX = HexFormat.of();

    public PageUrl {
        if (!isValidId(id)) {
            throw new IllegalArgumentException("not a page id: " + id);
        }
    }

    /**
     * Parses and normalises a URL.
     *
     * @throws InvalidUrlException with a message fit to show the client, naming the rule that failed
     */
    public static PageUrl parse(String raw) {
        if (raw == null) {
            throw new InvalidUrlException("is required");
        }
        String trimmed = raw.strip();
        if (trimmed.isEmpty()) {
            throw new InvalidUrlException("must not be blank");
        }
        Parts parts = Parts.split(trimmed);
        if (parts.scheme == null) {
            throw new InvalidUrlException("must be an absolute http or https URL");
        }
        String scheme = parts.scheme.toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidUrlException("must use the http or https scheme, not '" + scheme + "'");
        }
        String authority = parts.authority;
        if (authority == null || authority.isEmpty()) {
            throw new InvalidUrlException("must have a host");
        }
        if (authority.indexOf('@') >= 0) {
            throw new InvalidUrlException("must not contain user info (user:password@)");
        }
        HostPort hostPort = HostPort.parse(authority, scheme);
        String path = normalizePath(parts.path);
        String query = parts.query;

        StringBuilder normal = new StringBuilder(trimmed.length() + 8)
                .append(scheme)
                .append("://")
                .append(hostPort.host());
        if (hostPort.port() >= 0) {
            normal.append(':').append(hostPort.port());
        }
        normal.append(path);
        if (query != null && !query.isEmpty()) {
            normal.append('?').append(canonicalEncoding(query, QUERY_ALLOWED));
        }
        String normalized = normal.toString();
        return new PageUrl(normalized, idOf(normalized), hostPort.site());
    }

    /** The page id of a URL that is already in normal form. */
    static String idOf(String normalized) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(normalized.getBytes(StandardCharsets.UTF_8));
            return HEX.formatHex(digest, 0, ID_LENGTH / 2);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * Whether a string has the shape of a page id (for path parameters, before any lookup). A loop, not a regex:
     * it runs several times per page on the write path, where a regex cost a fifth of the API's CPU (measured).
     */
    public static boolean isValidId(String candidate) {
        if (candidate == null || candidate.length() != ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < ID_LENGTH; i++) {
            char c = candidate.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The components of a URI reference as RFC 3986 appendix B's regular expression splits them, by hand: that
     * regex cost a fifth of the API's CPU on the write path (measured). The fragment is not kept.
     */
    private record Parts(String scheme, String authority, String path, String query) {

        static Parts split(String uri) {
            int end = uri.length();
            int hash = uri.indexOf('#');
            if (hash >= 0) {
                end = hash;
            }
            int at = 0;
            String scheme = null;
            int colon = uri.indexOf(':');
            if (colon > 0 && colon < end) {
                boolean valid = true;
                for (int i = 0; i < colon; i++) {
                    char c = uri.charAt(i);
                    if (c == '/' || c == '?' || c == '#') {
                        valid = false;
                        break;
                    }
                }
                if (valid) {
                    scheme = uri.substring(0, colon);
                    at = colon + 1;
                }
            }
            String authority = null;
            if (uri.startsWith("//", at)) {
                int start = at + 2;
                int stop = start;
                while (stop < end && "/?".indexOf(uri.charAt(stop)) < 0) {
                    stop++;
                }
                authority = uri.substring(start, stop);
                at = stop;
            }
            int question = uri.indexOf('?', at);
            if (question >= end) {
                question = -1;
            }
            String path = uri.substring(at, question >= 0 ? question : end);
            String query = question >= 0 ? uri.substring(question + 1, end) : null;
            return new Parts(scheme, authority, path, query);
        }
    }

    private record HostPort(String host, int port, String site) {

        static HostPort parse(String authority, String scheme) {
            String hostPart;
            String portPart = null;
            if (authority.startsWith("[")) {
                int close = authority.indexOf(']');
                if (close < 0) {
                    throw new InvalidUrlException("has an unterminated IPv6 address");
                }
                hostPart = authority.substring(0, close + 1).toLowerCase(Locale.ROOT);
                if (!hostPart.substring(1, hostPart.length() - 1).matches("[0-9a-f:.]+")) {
                    throw new InvalidUrlException("has an invalid IPv6 address: " + hostPart);
                }
                String rest = authority.substring(close + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) {
                        throw new InvalidUrlException("has characters after the IPv6 address");
                    }
                    portPart = rest.substring(1);
                }
            } else {
                int colon = authority.lastIndexOf(':');
                hostPart = colon >= 0 ? authority.substring(0, colon) : authority;
                portPart = colon >= 0 ? authority.substring(colon + 1) : null;
                hostPart = asciiHost(hostPart);
            }
            if (hostPart.isEmpty()) {
                throw new InvalidUrlException("must have a host");
            }
            return new HostPort(hostPart, port(portPart, scheme), hostPart);
        }

        private static String asciiHost(String host) {
            String decoded = host.indexOf('%') >= 0 ? percentDecode(host) : host;
            if (decoded.endsWith(".")) {
                decoded = decoded.substring(0, decoded.length() - 1);
            }
            if (decoded.startsWith(".") || decoded.contains("..")) {
                throw new InvalidUrlException("has an empty label in the host");
            }
            String ascii;
            try {
                ascii = IDN.toASCII(decoded, IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException e) {
                throw new InvalidUrlException("has an invalid host name: " + e.getMessage());
            }
            ascii = ascii.toLowerCase(Locale.ROOT);
            for (int i = 0; i < ascii.length(); i++) {
                char c = ascii.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
                if (!ok) {
                    throw new InvalidUrlException("has an invalid character in the host: '" + c + "'");
                }
            }
            return ascii;
        }

        private static int port(String portPart, String scheme) {
            if (portPart == null || portPart.isEmpty()) {
                return -1;
            }
            if (portPart.length() > 5 || !portPart.chars().allMatch(Character::isDigit)) {
                throw new InvalidUrlException("has an invalid port: '" + portPart + "'");
            }
            int port = Integer.parseInt(portPart);
            if (port > 65535) {
                throw new InvalidUrlException("has a port out of range: " + port);
            }
            boolean defaultPort = (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
            return defaultPort ? -1 : port;
        }
    }

    // ---- path and percent-encoding ----

    private static final boolean[] UNRESERVED = charClass("-._~");
    private static final boolean[] PATH_ALLOWED = charClass("-._~!$&'()*+,;=:@/");
    private static final boolean[] QUERY_ALLOWED = charClass("-._~!$&'()*+,;=:@/?");

    private static boolean[] charClass(String extra) {
        boolean[] allowed = new boolean[128];
        for (char c = 'a'; c <= 'z'; c++) allowed[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) allowed[c] = true;
        for (char c = '0'; c <= '9'; c++) allowed[c] = true;
        for (char c : extra.toCharArray()) allowed[c] = true;
        return allowed;
    }

    private static String normalizePath(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        return removeDotSegments(canonicalEncoding(rawPath, PATH_ALLOWED));
    }

    /** RFC 3986 section 5.2.4, on an absolute path whose unreserved characters are already decoded. */
    private static String removeDotSegments(String path) {
        if (!path.contains(".")) {
            return path;
        }
        Deque<String> out = new ArrayDeque<>();
        String[] segments = path.split("/", -1);
        // segments[0] is the empty string before the leading '/'.
        for (int i = 1; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.equals(".")) {
                if (last) out.addLast("");
            } else if (segment.equals("..")) {
                if (!out.isEmpty()) out.removeLast();
                if (last) out.addLast("");
            } else {
                out.addLast(segment);
            }
        }
        return "/" + String.join("/", out);
    }

    /**
     * Upper-cases percent-encoding hex, decodes unreserved characters, and encodes as UTF-8 any character that
     * is not allowed in this component. A stray '%' not followed by two hex digits is encoded as %25.
     */
    static String canonicalEncoding(String component, boolean[] allowed) {
        StringBuilder out = null;
        int length = component.length();
        for (int i = 0; i < length; i++) {
            char c = component.charAt(i);
            if (c == '%' && i + 2 < length && isHex(component.charAt(i + 1)) && isHex(component.charAt(i + 2))) {
                int value = Character.digit(component.charAt(i + 1), 16) * 16 + Character.digit(component.charAt(i + 2), 16);
                if (out == null) out = new StringBuilder(length + 16).append(component, 0, i);
                if (value < 128 && UNRESERVED[value]) {
                    out.append((char) value);
                } else {
                    appendEncoded(out, value);
                }
                i += 2;
            } else if (c < 128 && allowed[c]) {
                if (out != null) out.append(c);
            } else {
                if (out == null) out = new StringBuilder(length + 16).append(component, 0, i);
                int codePoint = component.codePointAt(i);
                if (Character.isSupplementaryCodePoint(codePoint)) i++;
                for (byte b : Character.toString(codePoint).getBytes(StandardCharsets.UTF_8)) {
                    appendEncoded(out, b & 0xff);
                }
            }
        }
        return out == null ? component : out.toString();
    }

    private static void appendEncoded(StringBuilder out, int value) {
        out.append('%').append(Character.toUpperCase(Character.forDigit(value >> 4, 16)))
                .append(Character.toUpperCase(Character.forDigit(value & 0xf, 16)));
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0 && c < 128;
    }

    private static String percentDecode(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                bytes.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else {
                int codePoint = s.codePointAt(i);
                if (Character.isSupplementaryCodePoint(codePoint)) i++;
                byte[] encoded = Character.toString(codePoint).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
