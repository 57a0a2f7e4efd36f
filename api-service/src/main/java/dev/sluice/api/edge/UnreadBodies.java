package dev.sluice.api.edge;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * An answer given before the request's body was read (a 401, a 413 or a 429 before the first byte, a 400 halfway
 * through) closes the connection: otherwise the server would go on reading the rest of the body, however large,
 * only to find the next request after it. The connection lingers briefly ({@code linger-on-close}) so the client
 * still reads the answer. Whoever reads a body whole says so with {@link #markRead}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
public class UnreadBodies implements WebFilter {

    private static final String READ = UnreadBodies.class.getName() + ".read";

    /** The request's body has been read to its end. */
    public static void markRead(ServerWebExchange exchange) {
        exchange.getAttributes().put(READ, Boolean.TRUE);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (hasBody(exchange.getRequest())) {
            exchange.getResponse().beforeCommit(() -> {
                if (exchange.getAttribute(READ) == null) {
                    exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
                }
                return Mono.empty();
            });
        }
        return chain.filter(exchange);
    }

    private static boolean hasBody(ServerHttpRequest request) {
        HttpHeaders headers = request.getHeaders();
        return headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
    }
}
