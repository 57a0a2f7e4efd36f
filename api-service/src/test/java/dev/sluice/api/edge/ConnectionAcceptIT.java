package dev.sluice.api.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.api.RawHttp;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * New connections are accepted by a thread that serves no request: when every event loop is busy answering, a new
 * connection is still taken off the listen queue at once (colocated, it waited for a turn of a busy loop, more than
 * 10 s under the invalidation benchmark's load, and its request went unanswered).
 */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sluice.topics.pages.name=pages.connection-accept-it",
        "sluice.redis.key-prefix=connection-accept-it:"})
class ConnectionAcceptIT {

    static final Map<Integer, EventLoop> acceptors = new ConcurrentHashMap<>();
    static final Set<EventLoop> connectionLoops = ConcurrentHashMap.newKeySet();
    static final AtomicReference<String> acceptingThread = new AtomicReference<>();

    @TestConfiguration
    static class Observed {
        @Bean
        NettyServerCustomizer observeLoops() {
            return server -> server
                    .doOnBound(bound -> acceptors.put(((java.net.InetSocketAddress) bound.address()).getPort(), bound.channel().eventLoop()))
                    .doOnConnection(connection -> {
                        connectionLoops.add(connection.channel().eventLoop());
                        connection.channel().parent().eventLoop().execute(() -> acceptingThread.set(Thread.currentThread().getName()));
                    });
        }
    }

    @LocalServerPort
    int port;

    @BeforeAll
    static void schema() {
        ApiFixtures.migrate(SharedStack.forTestClass(ConnectionAcceptIT.class));
    }

    @Test
    void theAcceptingLoopServesNoConnection() {
        RawHttp http = new RawHttp(port, Duration.ofSeconds(10));
        for (int i = 0; i < 16; i++) { // new connections, spread over every event loop
            assertThat(http.send("GET", "/v1/pages/" + "0".repeat(32), Map.of()).status()).isEqualTo(404);
        }
        EventLoop acceptor = acceptors.get(port);
        assertThat(acceptor).as("the public server was bound").isNotNull();
        assertThat(connectionLoops).as("event loops that served the connections").hasSizeGreaterThan(1).doesNotContain(acceptor);
        Awaitility.await().untilAsserted(() -> assertThat(acceptingThread.get()).startsWith("sluice-http-select"));
    }
}
