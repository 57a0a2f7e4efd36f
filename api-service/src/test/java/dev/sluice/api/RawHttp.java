package dev.sluice.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * HTTP/1.1 over a plain socket, byte for byte as given: paths, headers and bodies no client library would send
 * (matrix parameters, bad escapes, lying lengths, truncated gzip). The body is written on its own thread while the
 * answer is read, as a real client would, so an early answer (a 413 before the body is sent) is seen as it comes,
 * and how the exchange ended is reported: an answer, a reset, a close without an answer, or no answer in time.
 */
public final class RawHttp {

    /** How an exchange ended. */
    public enum Ending { ANSWERED, RESET, CLOSED_WITHOUT_ANSWER, TIMED_OUT }

    /**
     * @param ending how it ended
     * @param status the status, or 0 without an answer
     * @param headers lower-case names, first value of each
     * @param body the body as received (de-chunked)
     * @param closedAfter whether the server closed the connection after the answer
     * @param bodySent how many body bytes were written before the exchange ended
     */
    public record Answer(Ending ending, int status, Map<String, String> headers, byte[] body, boolean closedAfter, long bodySent) {

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return ending + (status > 0 ? " " + status + " " + text().substring(0, Math.min(300, text().length())) : "");
        }
    }

    /** Where the body comes from: written in pieces, so a huge body never exists in memory. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;

        static Body of(byte[] bytes) {
            return out -> out.write(bytes);
        }

        static Body none() {
            return out -> { };
        }

        /** {@code total} bytes of {@code filler}, written 64 KB at a time. */
        static Body repeated(byte filler, long total) {
            return out -> {
                byte[] chunk = new byte[64 * 1024];
                java.util.Arrays.fill(chunk, filler);
                for (long left = total; left > 0; left -= chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            };
        }
    }

    /** Writers of bodies, one per exchange in progress: a body the server stops reading blocks only its own writer. */
    private static final ExecutorService WRITERS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "raw-http-writer");
        thread.setDaemon(true);
        return thread;
    });

    private final int port;
    private final Duration timeout;

    public RawHttp(int port, Duration timeout) {
        this.port = port;
        this.timeout = timeout;
    }

    /** A request with no body. */
    public Answer send(String method, String target, Map<String, String> headers) {
        return send(method, target, headers, Body.none());
    }

    /**
     * Sends the request line, the headers exactly as given (add {@code Content-Length} or {@code Transfer-Encoding}
     * yourself) and the body, and reads one answer.
     */
    public Answer send(String method, String target, Map<String, String> headers, Body body) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: 127.0.0.1:").append(port).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        return exchange(head.toString().getBytes(StandardCharsets.ISO_8859_1), body);
    }

    /**
     * As a simple client does: writes the whole request (carrying on past errors) and only then reads the answer.
     * Such a client gets a reset instead of the answer if the server closes with its bytes unread.
     */
    public Answer sendThenRead(String method, String target, Map<String, String> headers, Body body) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: 127.0.0.1:").append(port).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            long[] sent = {0};
            try {
                OutputStream out = socket.getOutputStream();
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                body.writeTo(out);
                out.flush();
            } catch (IOException e) {
                // the server stopped reading; what it answered, if anything, is still to be read
            }
            return read(socket.getInputStream(), sent, method.equals("HEAD"));
        } catch (IOException e) {
            return new Answer(Ending.RESET, 0, Map.of(), new byte[0], true, 0);
        }
    }

    /** Raw bytes for the head (request line and headers, ending with an empty line), then the body. */
    public Answer exchange(byte[] head, Body body) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            long[] sent = {0};
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream raw = socket.getOutputStream();
                    raw.write(head);
                    body.writeTo(new OutputStream() {
                        @Override
                        public void write(int b) throws IOException {
                            raw.write(b);
                            sent[0]++;
                        }

                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            raw.write(b, off, len);
                            sent[0] += len;
                        }
                    });
                    raw.flush();
                } catch (IOException e) {
                    // the server stopped reading (it answered early, or closed): the answer tells which
                }
            }, WRITERS);
            boolean toHead = new String(head, 0, Math.min(5, head.length), StandardCharsets.ISO_8859_1).equals("HEAD ");
            Answer answer = read(socket.getInputStream(), sent, toHead);
            writing.cancel(true);
            return answer;
        } catch (IOException e) {
            return new Answer(Ending.RESET, 0, Map.of(), new byte[0], true, 0);
        }
    }

    /** @param bodyless the answer to a HEAD: headers only, whatever Content-Length says */
    private Answer read(InputStream in, long[] sent, boolean bodyless) throws IOException {
        try {
            String[] lines;
            int status;
            do { // past interim answers (100 Continue) to the final one
                lines = readHead(in);
                if (lines == null) {
                    return new Answer(Ending.CLOSED_WITHOUT_ANSWER, 0, Map.of(), new byte[0], true, sent[0]);
                }
                status = Integer.parseInt(lines[0].split(" ")[1]);
            } while (status >= 100 && status < 200);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.putIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
                }
            }
            byte[] body;
            if (bodyless) {
                body = new byte[0];
            } else if (headers.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = dechunk(in);
            } else {
                body = new byte[0];
            }
            boolean closed = "close".equalsIgnoreCase(headers.get("connection")) && closedSoon(in);
            return new Answer(Ending.ANSWERED, status, headers, body, closed, sent[0]);
        } catch (SocketTimeoutException e) {
            return new Answer(Ending.TIMED_OUT, 0, Map.of(), new byte[0], false, sent[0]);
        } catch (SocketException e) {
            return new Answer(Ending.RESET, 0, Map.of(), new byte[0], true, sent[0]);
        }
    }

    /** The lines of a head, or null if the connection ended first. */
    private static String[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1
                    : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    }

    /** Whether the server ends the connection (end of stream, or a reset after the answer was read). */
    private static boolean closedSoon(InputStream in) {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    private static byte[] dechunk(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            int length = Integer.parseInt(size.split(";")[0].strip(), 16);
            if (length == 0) {
                while (!line(in).isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(length));
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
