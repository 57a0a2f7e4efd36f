package dev.sluice.api.auth;

import dev.sluice.api.edge.PublicPort;
import dev.sluice.api.problem.ProblemException;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * {@code Authorization: Bearer slk_…} on every request of the public port: anything but a read ({@code GET},
 * {@code HEAD}) needs a key with the {@code write} scope, and reads need one with {@code read} when
 * {@link AuthProperties#readsRequireKey()}. Nothing is exempt by its path: the decision cannot depend on how a path
 * is spelled (and {@code CanonicalPaths} has already refused every spelling but one); an unknown route without a key
 * is a {@code 401}, with one a {@code 404}. Health and metrics are on the management port, outside this filter.
 * The authenticated key travels in the exchange's attributes ({@link #key(ServerWebExchange)}). The key itself is
 * never logged.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class ApiKeyFilter implements WebFilter {

    private static final String ATTRIBUTE = ApiKey.class.getName();
    private static final String CHALLENGE = "Bearer realm=\"sluice\"";

    private final ApiKeyStore store;
    private final AuthProperties properties;
    private final PublicPort publicPort;

    ApiKeyFilter(ApiKeyStore store, AuthProperties properties, PublicPort publicPort) {
        this.store = store;
        this.properties = properties;
        this.publicPort = publicPort;
    }

    /** The key that authenticated this request, if any. */
    public static Optional<ApiKey> key(ServerWebExchange exchange) {
        return Optional.ofNullable(exchange.getAttribute(ATTRIBUTE));
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!publicPort.serves(exchange)) {
            return chain.filter(exchange);
        }
        HttpMethod method = exchange.getRequest().getMethod();
        boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
        String scope = read ? ApiKey.READ : ApiKey.WRITE;
        String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization == null) {
            if (read && !properties.readsRequireKey()) {
                return chain.filter(exchange);
            }
            return Mono.error(unauthorized("This request needs an API key: send Authorization: Bearer <key>.", false));
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Mono.error(unauthorized("The Authorization header must use the Bearer scheme: Authorization: Bearer <key>.", true));
        }
        return store.authenticate(authorization.substring(7).strip())
                .onErrorMap(e -> !(e instanceof ProblemException), e -> ProblemException.of(HttpStatus.SERVICE_UNAVAILABLE,
                        "auth-unavailable", "Cannot verify API keys", "API keys cannot be verified right now; try again shortly.")
                        .retryAfter(java.time.Duration.ofSeconds(2)))
                .flatMap(key -> {
                    if (key.isEmpty()) {
                        return Mono.error(unauthorized("The API key is unknown or revoked.", true));
                    }
                    if (!key.get().may(scope)) {
                        return Mono.error(ProblemException.of(HttpStatus.FORBIDDEN, "forbidden", "Not allowed",
                                "The API key '" + key.get().name() + "' may not " + scope + " (its scopes: "
                                        + String.join(", ", key.get().scopes()) + ")."));
                    }
                    exchange.getAttributes().put(ATTRIBUTE, key.get());
                    return chain.filter(exchange);
                });
    }

    private static ProblemException unauthorized(String detail, boolean invalidToken) {
        return ProblemException.of(HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized", detail)
                .header(HttpHeaders.WWW_AUTHENTICATE, invalidToken ? CHALLENGE + ", error=\"invalid_token\"" : CHALLENGE);
    }
}
