package dev.sluice.api.edge;

import org.springframework.context.ApplicationContext;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Tells requests of the public port from those of the management port. Spring runs the management server
 * ({@code management.server.port}) as a child context, and the web filters of this context run there too; a
 * filter that guards the public API (keys, rate limits) skips the management server's requests, which it tells by
 * the context that serves them.
 */
@Component
public class PublicPort {

    private final ApplicationContext context;

    PublicPort(ApplicationContext context) {
        this.context = context;
    }

    public boolean serves(ServerWebExchange exchange) {
        ApplicationContext serving = exchange.getApplicationContext();
        return serving == null || serving == context;
    }
}
