package dev.sluice.bench.read;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.netty.http.server.HttpServer;

/**
 * The read benchmark's floor: a minimal WebFlux handler that does one Lettuce GET and returns the bytes, nothing
 * else (no validation, no metrics, no fencing). A cache hit of the API is measured against it, in its own JVM.
 * Arguments: port, Redis URL.
 */
public final class FloorServer {

    public static void main(String[] args) throws InterruptedException {
        RedisReactiveCommands<byte[], byte[]> redis = RedisClient.create(args[1]).connect(ByteArrayCodec.INSTANCE).reactive();
        var routes = RouterFunctions.route(GET("/floor/{id}"), request -> redis
                .get(("floor:" + request.pathVariable("id")).getBytes(StandardCharsets.UTF_8))
                .flatMap(bytes -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(bytes))
                .switchIfEmpty(ServerResponse.notFound().build()));
        HttpServer.create().host("127.0.0.1").port(Integer.parseInt(args[0]))
                .handle(new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(routes)))
                .bindNow();
        System.out.println("floor ready");
        new CountDownLatch(1).await();
    }
}
