package dev.sluice.api.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sluice.api.auth.ApiKey;
import dev.sluice.api.auth.ApiKeyFilter;
import dev.sluice.api.edge.PublicPort;
import dev.sluice.api.problem.ProblemException;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
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
 * Read limits: a token bucket per API key, or per client address for reads without a key, in this instance's
 * memory. A read costs one token; an empty bucket is a {@code 429 rate-limited} with {@code Retry-After}, and every
 * read answer carries {@code RateLimit-Limit}, {@code -Remaining} and {@code -Reset}, as writes do. In memory rather
 * than in Redis like the write limit: a cache hit is one Redis call, and a second one per read would halve what an
 * instance serves; the price is that N instances allow N times the rate. An IPv6 client is counted by its /64 (one
 * host has billions of addresses). Behind a proxy, the client address is the proxy's unless
 * {@code server.forward-headers-strategy} says to trust its {@code Forwarded} or {@code X-Forwarded-For}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
public class ReadRateLimits implements WebFilter {

    private final ReadLimitProperties properties;
    private final PublicPort publicPort;
    private final Cache<String, Bucket> buckets;

    ReadRateLimits(ReadLimitProperties properties, PublicPort publicPort) {
        this.properties = properties;
        this.publicPort = publicPort;
        this.buckets = Caffeine.newBuilder().maximumSize(properties.maxClients()).expireAfterAccess(Duration.ofMinutes(10)).build();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        HttpMethod method = exchange.getRequest().getMethod();
        if (!publicPort.serves(exchange) || method != HttpMethod.GET && method != HttpMethod.HEAD) {
            return chain.filter(exchange);
        }
        Optional<ApiKey> key = ApiKeyFilter.key(exchange);
        int rate = key.isPresent() ? properties.keyRate() : properties.anonymousRate();
        if (rate == 0) {
            return chain.filter(exchange);
        }
        int burst = key.isPresent() ? properties.keyBurst() : properties.anonymousBurst();
        String client = key.map(k -> "key:" + k.id()).orElseGet(() -> "address:" + address(exchange));
        Bucket bucket = buckets.get(client, name -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(rate, Duration.ofSeconds(1)).build())
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        HttpHeaders headers = exchange.getResponse().getHeaders();
        headers.set("RateLimit-Limit", Integer.toString(burst));
        headers.set("RateLimit-Remaining", Long.toString(probe.getRemainingTokens()));
        headers.set("RateLimit-Reset", Long.toString(ceilSeconds(probe.getNanosToWaitForReset())));
        if (!probe.isConsumed()) {
            return Mono.error(ProblemException.of(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Rate limited",
                            (key.isPresent() ? "The API key '" + key.get().name() + "'" : "This client address, without an API key,")
                                    + " may read " + rate + " times per second (burst " + burst + "); wait before reading again.")
                    .retryAfter(Duration.ofNanos(probe.getNanosToWaitForRefill())));
        }
        return chain.filter(exchange);
    }

    /** The client's address; an IPv6 one as its /64. */
    static String address(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        InetAddress address = remote == null ? null : remote.getAddress();
        if (address == null) {
            return "unknown";
        }
        if (address instanceof Inet6Address) {
            return HexFormat.of().formatHex(Arrays.copyOf(address.getAddress(), 8)) + "::/64";
        }
        return address.getHostAddress();
    }

    private static long ceilSeconds(long nanos) {
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }
}
