package dev.sluice.api.edge;

import dev.sluice.api.problem.ProblemException;
import dev.sluice.api.problem.ProblemResponses;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.net.URI;
import java.net.URISyntaxException;
import org.springframework.http.HttpStatus;

/**
 * Gives a problem document to the error answers made below Spring, which have no body at all: a request line or
 * header the HTTP decoder cannot read ({@code 400}, {@code 414}, {@code 431}), and a request target that is not a
 * URI ({@code ?cursor=%%}, a backslash in the path), which Spring refuses with an empty {@code 400} before any
 * filter runs. Every error of the public port is then {@code application/problem+json}.
 */
final class BareErrorProblems extends ChannelDuplexHandler {

    private final Runnable onRewritten;
    private String lastTarget;
    private boolean lastWasHead;

    BareErrorProblems(Runnable onRewritten) {
        this.onRewritten = onRewritten;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest request) {
            lastTarget = request.uri();
            lastWasHead = HttpMethod.HEAD.equals(request.method());
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof FullHttpResponse response && isBare(response) && !lastWasHead) {
            byte[] problem = ProblemResponses.json(problem(response.status().code()), null);
            FullHttpResponse answered = response.replace(Unpooled.wrappedBuffer(problem));
            answered.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, problem.length);
            response.release();
            onRewritten.run();
            super.write(ctx, answered, promise);
            return;
        }
        super.write(ctx, msg, promise);
    }

    private static boolean isBare(FullHttpResponse response) {
        int status = response.status().code();
        return status >= 400 && status < 500 && response.content().readableBytes() == 0
                && !response.headers().contains(HttpHeaderNames.CONTENT_TYPE);
    }

    private ProblemException problem(int status) {
        String why = lastTarget == null ? null : unparsable(lastTarget);
        if (status == 400 && why != null) {
            return ProblemException.of(HttpStatus.BAD_REQUEST, "invalid-uri", "Invalid request target",
                    "The request target is not a valid URI (" + why + "); percent-encode what is not allowed as is.");
        }
        return switch (status) {
            case 414 -> ProblemException.of(HttpStatus.URI_TOO_LONG, "uri-too-long", "Request target too long",
                    "The request line is longer than the server reads; send long values in the body.");
            case 431 -> ProblemException.of(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers-too-large", "Request headers too large",
                    "The request's headers are larger than the server reads.");
            default -> ProblemException.of(HttpStatus.valueOf(status), "malformed-request", "Malformed request",
                    "The request could not be read as HTTP/1.1 (its request line or a header is malformed).");
        };
    }

    private static String unparsable(String target) {
        try {
            new URI(target);
            return null;
        } catch (URISyntaxException e) {
            return e.getIndex() >= 0 ? e.getReason() + " at index " + e.getIndex() : e.getReason();
        }
    }
}
