package dev.sluice.api.edge;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelPipeline;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * The HTTP server's own bounds, below Spring: how long a request's headers may take ({@link RequestHeadTimeout}),
 * how long an idle connection lives, how a connection closes while the client is still sending
 * ({@link LingeringClose}), and a problem document for the errors answered below Spring ({@link BareErrorProblems}).
 */
@Component
class EdgeServer implements NettyServerCustomizer {

    private final EdgeProperties properties;
    private final MeterRegistry meters;

    EdgeServer(EdgeProperties properties, MeterRegistry meters) {
        this.properties = properties;
        this.meters = meters;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server
                .idleTimeout(properties.idleTimeout())
                .doOnChannelInit((observer, channel, remote) -> {
                    ChannelPipeline pipeline = channel.pipeline();
                    if (pipeline.get(NettyPipeline.HttpCodec) == null) {
                        return; // not HTTP/1.1 (h2c is not enabled on this server)
                    }
                    RequestHeadTimeout headTimeout = new RequestHeadTimeout(properties.requestHeadTimeout(),
                            () -> meters.counter("sluice.api.edge.closed", "reason", "request-head-timeout").increment());
                    pipeline.addBefore(NettyPipeline.HttpCodec, "sluice.lingeringClose", new LingeringClose(properties.lingerOnClose()));
                    pipeline.addBefore(NettyPipeline.HttpCodec, "sluice.requestHeadStart", headTimeout.start());
                    pipeline.addAfter(NettyPipeline.HttpCodec, "sluice.requestHeadEnd", headTimeout.end());
                    pipeline.addAfter(NettyPipeline.HttpCodec, "sluice.bareErrorProblems",
                            new BareErrorProblems(() -> meters.counter("sluice.api.rejections", "reason", "bare-error").increment()));
                });
    }
}
