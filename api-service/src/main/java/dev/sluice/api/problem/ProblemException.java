package dev.sluice.api.problem;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/**
 * An error the API answers with an RFC 9457 problem: a status, a stable type, a title, a specific detail and, where
 * useful, extension members (the failing fields, the limit that was hit) and headers ({@code Retry-After}).
 */
public final class ProblemException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    /** Sluice-specific problem types are URNs: stable identifiers, nothing to dereference. */
    private static final String TYPE_PREFIX = "urn:sluice:problem:";

    private final HttpStatus status;
    private final URI type;
    private final String title;
    private final transient Map<String, Object> extensions = new LinkedHashMap<>();
    private final transient HttpHeaders headers = new HttpHeaders();

    private ProblemException(HttpStatus status, String type, String title, String detail) {
        super(detail, null, false, false); // an answer to a client, not a bug: no stack trace
        this.status = status;
        this.type = type == null ? URI.create("about:blank") : URI.create(TYPE_PREFIX + type);
        this.title = title;
    }

    public static ProblemException of(HttpStatus status, String type, String title, String detail) {
        return new ProblemException(status, type, title, detail);
    }

    /** A plain HTTP error, whose status says it all ({@code type} is {@code about:blank}). */
    public static ProblemException http(HttpStatus status, String detail) {
        return new ProblemException(status, null, status.getReasonPhrase(), detail);
    }

    public ProblemException with(String member, Object value) {
        extensions.put(member, value);
        return this;
    }

    public ProblemException header(String name, String value) {
        headers.add(name, value);
        return this;
    }

    public ProblemException retryAfter(Duration delay) {
        long seconds = Math.max(1, (delay.toMillis() + 999) / 1000);
        return header(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
    }

    public HttpStatus status() {
        return status;
    }

    public URI type() {
        return type;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    public Map<String, Object> extensions() {
        return extensions;
    }

    public HttpHeaders headers() {
        return headers;
    }

    /** The kind of rejection, for metrics: the problem type's last part, or the status. */
    public String reason() {
        String text = type.toString();
        return text.startsWith(TYPE_PREFIX) ? text.substring(TYPE_PREFIX.length()) : Integer.toString(status.value());
    }
}
