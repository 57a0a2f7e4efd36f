package dev.sluice.api.edge;

import dev.sluice.api.problem.ProblemException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The first filter of every request: its path must be in canonical form, or it is refused with
 * {@code 400 invalid-path} before anything else reads it. Routing decodes percent-escapes and drops matrix
 * parameters ({@code /v1;x/pages}, {@code /%76%31/pages} both route to {@code /v1/pages}); a filter that judged the
 * raw text could be walked around by another spelling of the same route. No route of the API needs any of those
 * spellings, so only one spelling is accepted: segments of unreserved characters ({@code A-Z a-z 0-9 - . _ ~})
 * and {@code :}, none empty, none {@code .} or {@code ..}; the one escape allowed is of the brackets of an IPv6
 * site ({@code %5B}, {@code %5D}), which name no route. Then the raw path, the decoded path and the path routing
 * matches are the same route, and every later decision (authentication, rate limits) is made on what routing
 * will see.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class CanonicalPaths implements WebFilter {

    static final int MAX_PATH_LENGTH = 1024;

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String raw = exchange.getRequest().getURI().getRawPath();
        String why = whyNotCanonical(raw);
        if (why != null) {
            return Mono.error(ProblemException.of(HttpStatus.BAD_REQUEST, "invalid-path", "Invalid path",
                    "The request path " + why + "; send it in canonical form, such as /v1/pages/{id}."));
        }
        return chain.filter(exchange);
    }

    /** Null if the raw path is canonical, else what is wrong with it. */
    static String whyNotCanonical(String raw) {
        if (raw == null || raw.isEmpty() || raw.charAt(0) != '/') {
            return "must start with /";
        }
        if (raw.length() > MAX_PATH_LENGTH) {
            return "is longer than " + MAX_PATH_LENGTH + " characters";
        }
        if (raw.length() == 1) {
            return null;
        }
        int segmentStart = 1;
        for (int i = 1; i <= raw.length(); i++) {
            char c = i == raw.length() ? '/' : raw.charAt(i);
            if (c == '/') {
                int length = i - segmentStart;
                if (length == 0 && i < raw.length()) {
                    return "has an empty segment (//)";
                }
                if (length == 1 && raw.charAt(segmentStart) == '.' || length == 2 && raw.startsWith("..", segmentStart)) {
                    return "has a dot segment (. or ..)";
                }
                segmentStart = i + 1;
            } else if (c == '%') {
                if (!bracketEscape(raw, i)) {
                    return "has a percent-encoded character (only %5B and %5D, of an IPv6 site, are accepted)";
                }
                i += 2;
            } else if (c == ';') {
                return "has a matrix parameter (;)";
            } else if (!unreserved(c)) {
                return "has the character '" + printable(c) + "'";
            }
        }
        return null;
    }

    private static boolean unreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
                || c == ':';
    }

    private static boolean bracketEscape(String raw, int at) {
        return at + 2 < raw.length() && raw.charAt(at + 1) == '5' && "BbDd".indexOf(raw.charAt(at + 2)) >= 0;
    }

    private static String printable(char c) {
        return c >= 0x21 && c < 0x7f ? String.valueOf(c) : String.format("U+%04X", (int) c);
    }
}
