package dev.sluice.api.edge;

import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;
import reactor.netty.resources.LoopResources;

/**
 * The HTTP server's threads: one that only accepts new connections, then the event loops that read and answer
 * requests (as many as Reactor Netty would use, at least 4).
 *
 * <p>By default Reactor Netty accepts on one of the event loops that also serve requests, and Netty accepts one
 * connection per turn of that loop. With every loop busy (batches being parsed, on two shared cores) the listen
 * queue was measured draining at about two connections a second: a client's new connection waited there for more
 * than 10 s with its request already sent, and the request reached the API only after the client had given up.
 * Those were the "unanswered requests under load" of the invalidation benchmark.
 */
@Configuration(proxyBeanMethods = false)
class ServerLoops {

    @Bean
    ReactorResourceFactory reactorResourceFactory() {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        factory.setShutdownQuietPeriod(Duration.ZERO); // the server has stopped (gracefully) before its loops do
        factory.setLoopResourcesSupplier(() -> LoopResources.create("sluice-http", 1, LoopResources.DEFAULT_IO_WORKER_COUNT, true));
        return factory;
    }
}
