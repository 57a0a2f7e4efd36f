package dev.sluice.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;

/** A site served on localhost: each path with its content type and bytes, as a crawler would fetch it. */
public final class LocalSite implements AutoCloseable {

    public record Served(String contentType, byte[] bytes) {}

    private final HttpServer server;

    public LocalSite(Map<String, Served> pages) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pages.forEach((path, served) -> server.createContext(path, exchange -> {
            if (!exchange.getRequestURI().getPath().equals(path)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", served.contentType());
            exchange.sendResponseHeaders(200, served.bytes().length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(served.bytes());
            }
        }));
        server.start();
    }

    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
