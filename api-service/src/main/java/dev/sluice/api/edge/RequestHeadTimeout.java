package dev.sluice.api.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose request headers have not all arrived {@code timeout} after their first byte (a
 * "slowloris" client sends a header byte every few seconds, forever, and is never idle). Two handlers share the
 * state: {@link #start()} before the HTTP decoder sees the first raw byte of a head and starts the clock;
 * {@link #end()} after it sees the decoded head and stops it, and sees the end of the request's body, after which
 * the next bytes are a new head.
 */
final class RequestHeadTimeout {

    private final long timeoutNanos;
    private final Runnable onTimeout;
    private boolean awaitingHead = true;
    private ScheduledFuture<?> clock;

    RequestHeadTimeout(Duration timeout, Runnable onTimeout) {
        this.timeoutNanos = timeout.toNanos();
        this.onTimeout = onTimeout;
    }

    ChannelInboundHandlerAdapter start() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                if (awaitingHead && clock == null && msg instanceof ByteBuf bytes && bytes.isReadable()) {
                    clock = ctx.executor().schedule(() -> {
                        onTimeout.run();
                        ctx.close();
                    }, timeoutNanos, TimeUnit.NANOSECONDS);
                }
                super.channelRead(ctx, msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                stop();
                super.channelInactive(ctx);
            }
        };
    }

    ChannelDuplexHandler end() {
        return new ChannelDuplexHandler() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                if (msg instanceof HttpRequest) {
                    awaitingHead = false;
                    stop();
                }
                if (msg instanceof LastHttpContent) {
                    awaitingHead = true;
                }
                super.channelRead(ctx, msg);
            }
        };
    }

    private void stop() {
        if (clock != null) {
            clock.cancel(false);
            clock = null;
        }
    }
}
