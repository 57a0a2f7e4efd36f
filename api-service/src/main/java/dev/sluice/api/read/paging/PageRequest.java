package dev.sluice.api.read.paging;

import dev.sluice.api.problem.ProblemException;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;

/**
 * {@code limit} and {@code cursor} of a paginated read.
 *
 * @param limit items per page, 1 to {@link #MAX_LIMIT} (default {@link #DEFAULT_LIMIT})
 * @param cursor the previous page's {@code next_cursor}, or null for the first page
 */
public record PageRequest(int limit, String cursor) {

    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;

    public static PageRequest of(ServerRequest request) {
        Optional<String> limitText = request.queryParam("limit");
        int limit = DEFAULT_LIMIT;
        if (limitText.isPresent()) {
            try {
                limit = Integer.parseInt(limitText.get());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw ProblemException.of(HttpStatus.BAD_REQUEST, "invalid-limit", "Invalid limit",
                        "limit must be a whole number from 1 to " + MAX_LIMIT + ", not '" + limitText.get() + "'.");
            }
        }
        return new PageRequest(limit, request.queryParam("cursor").filter(c -> !c.isEmpty()).orElse(null));
    }

    public boolean first() {
        return cursor == null;
    }
}
