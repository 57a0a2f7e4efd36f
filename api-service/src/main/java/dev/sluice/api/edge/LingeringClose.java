package dev.sluice.api.edge;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection the way a client can read: first only the server's side (a FIN after the answer), then,
 * while the client may still be sending the request the answer refused, its bytes are read and dropped until it
 * closes too or {@code linger} passes. Closing outright with unread bytes in the socket makes the kernel send a
 * reset, which can reach the client before it has read the answer (as with a {@code 413} sent before the body).
 * This is Apache's and nginx's "lingering close". Sits first in the pipeline, below the HTTP decoder.
 */
final class LingeringClose extends ChannelDuplexHandler {

    private final long lingerNanos;
    private boolean lingering;

    LingeringClose(Duration linger) {
        this.lingerNanos = linger.toNanos();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        if (lingering || lingerNanos <= 0 || !ctx.channel().isActive() || !(ctx.channel() instanceof DuplexChannel duplex)) {
            super.close(ctx, promise);
            return;
        }
        lingering = true;
        ctx.channel().closeFuture().addListener(closed -> promise.trySuccess());
        duplex.shutdownOutput().addListener(shut -> {
            if (!shut.isSuccess()) {
                ctx.close(promise);
                return;
            }
            ctx.channel().config().setAutoRead(true);
            ctx.read();
            ctx.executor().schedule(() -> {
                ctx.close();
            }, lingerNanos, TimeUnit.NANOSECONDS);
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (lingering) {
            ReferenceCountUtil.release(msg); // the rest of a request that was already answered
            return;
        }
        super.channelRead(ctx, msg);
    }
}
