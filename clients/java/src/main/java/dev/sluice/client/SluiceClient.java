package dev.sluice.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Posts pages to Sluice's {@code POST /v1/pages/batch}, for crawlers in Java. Pages (in the POST format, as JSON) are
 * batched by count and bytes and sent gzipped, a bounded number of batches at once; every page ends accepted or
 * reported rejected with its reason, never dropped silently:
 * <ul>
 *   <li>{@code 429} and {@code 503}: waits what {@code Retry-After} says (with jitter, so a fleet does not return at
 *       once) and sends the same batch again;</li>
 *   <li>{@code 400} naming bad items: those are rejected with the API's reason, the rest sent again;</li>
 *   <li>{@code 413}: split (to the key's burst when the API names it);</li>
 *   <li>connection failures and other {@code 5xx}: retried with bounded exponential backoff and jitter, then rejected;</li>
 *   <li>{@code 401}/{@code 403}: the client stops ({@link #stopped()}); what it holds is rejected as not sent.</li>
 * </ul>
 * Each page carries a tag of the caller's (a file line, a crawl item) that comes back with a rejection.
 *
 * <pre>{@code
 * try (SluiceClient<String> client = SluiceClient.<String>builder(URI.create("http://localhost:8080"), key)
 *         .onRejected(rejected -> log.warn("{}: {}", rejected.tag(), rejected.reason())).build()) {
 *     client.add(url, pageJson);   // blocks while too many batches are in flight
 * }                                // close() sends the rest and waits
 * }</pre>
 */
public final class SluiceClient<T> implements AutoCloseable {

    /** A page the API refused, or that could not be sent, and why. */
    public record Rejected<T>(T tag, String page, String reason) {}

    /** What the client did so far. */
    public record Counts(long accepted, long rejected, long retriedPages, long waits, long requests) {}

    private record Page<T>(T tag, String json) {}

    private static final JsonMapper JSON = JsonMapper.shared();

    private final HttpClient http;
    private final URI endpoint;
    private final String key;
    private final int batchPages;
    private final long batchBytes;
    private final int maxAttempts;
    private final Duration timeout;
    private final boolean gzip;
    private final Consumer<Rejected<T>> onRejected;
    private final ExecutorService senders;
    private final Semaphore inFlight;
    private final List<CompletableFuture<Void>> sent = new ArrayList<>();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong retriedPages = new AtomicLong();
    private final AtomicLong waits = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicReference<String> stopped = new AtomicReference<>();
    private List<Page<T>> batch = new ArrayList<>();
    private long batchSize;

    private SluiceClient(Builder<T> builder) {
        this.http = builder.http != null ? builder.http
                : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        this.endpoint = builder.api.resolve("/v1/pages/batch");
        this.key = builder.key;
        this.batchPages = builder.batchPages;
        this.batchBytes = builder.batchBytes;
        this.maxAttempts = builder.maxAttempts;
        this.timeout = builder.timeout;
        this.gzip = builder.gzip;
        this.onRejected = builder.onRejected;
        this.senders = Executors.newFixedThreadPool(builder.concurrency, runnable -> {
            Thread thread = new Thread(runnable, "sluice-client");
            thread.setDaemon(true);
            return thread;
        });
        this.inFlight = new Semaphore(builder.concurrency * 2); // bounds memory: batches queued ahead of the senders
    }

    public static <T> Builder<T> builder(URI api, String key) {
        return new Builder<>(api, key);
    }

    /** Queues a page; sends a batch once it is full, blocking while too many batches are in flight. */
    public synchronized void add(T tag, String pageJson) throws InterruptedException {
        long bytes = pageJson.getBytes(StandardCharsets.UTF_8).length + 1L;
        if (!batch.isEmpty() && (batch.size() >= batchPages || batchSize + bytes > batchBytes)) {
            submit();
        }
        batch.add(new Page<>(tag, pageJson));
        batchSize += bytes;
    }

    /** Sends what is queued; completes once every page added so far is accepted or rejected. */
    public synchronized CompletableFuture<Counts> flushAsync() throws InterruptedException {
        if (!batch.isEmpty()) {
            submit();
        }
        CompletableFuture<?>[] pending = sent.toArray(CompletableFuture[]::new);
        sent.removeIf(CompletableFuture::isDone);
        return CompletableFuture.allOf(pending).thenApply(done -> counts());
    }

    /** As {@link #flushAsync()}, waiting. */
    public Counts flush() throws InterruptedException {
        return flushAsync().join();
    }

    public Counts counts() {
        return new Counts(accepted.get(), rejected.get(), retriedPages.get(), waits.get(), requests.get());
    }

    /** Why the client stopped sending (the API refused the key), if it did. */
    public Optional<String> stopped() {
        return Optional.ofNullable(stopped.get());
    }

    /** Sends the rest, waits for it, and stops the senders. */
    @Override
    public void close() throws InterruptedException {
        try {
            flush();
        } finally {
            senders.shutdown();
            senders.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    private void submit() throws InterruptedException {
        List<Page<T>> full = batch;
        batch = new ArrayList<>();
        batchSize = 0;
        inFlight.acquire();
        sent.add(CompletableFuture.runAsync(() -> {
            try {
                send(full);
            } finally {
                inFlight.release();
            }
        }, senders));
    }

    /** Sends until every page of the batch is accepted or rejected. */
    private void send(List<Page<T>> pages) {
        List<Page<T>> pending = new ArrayList<>(pages);
        int attempt = 0;
        while (!pending.isEmpty()) {
            if (stopped.get() != null) {
                rejectAll(pending, "not sent: the API refused the key (" + stopped.get() + ")");
                return;
            }
            HttpResponse<String> response;
            try {
                requests.incrementAndGet();
                response = http.send(request(pending), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (++attempt >= maxAttempts) {
                    rejectAll(pending, "not accepted after " + attempt + " attempts: " + e);
                    return;
                }
                pause(backoff(attempt));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                rejectAll(pending, "not sent: interrupted");
                return;
            }
            int status = response.statusCode();
            JsonNode problem = problem(response.body());
            List<Page<T>> rest = status == 400 ? rejectNamedItems(pending, problem.path("errors")) : pending;
            if (status == 202) {
                accepted.addAndGet(pending.size());
                return;
            } else if (status == 429 || status == 503) {
                retriedPages.addAndGet(pending.size());
                waits.incrementAndGet();
                pause(retryAfter(response));
            } else if (rest.size() < pending.size()) {
                pending = rest;
            } else if (status == 413 && pending.size() > 1) {
                int limit = problem.path("limit_pages").asInt(0);
                int size = limit > 0 && limit < pending.size() ? limit : (pending.size() + 1) / 2;
                for (int from = 0; from < pending.size(); from += size) {
                    send(pending.subList(from, Math.min(pending.size(), from + size)));
                }
                return;
            } else if (status == 400 || status == 413 || status == 415 || status == 422) {
                if (pending.size() == 1) {
                    reject(pending.get(0), status + " " + problem.path("detail").asString(response.body()));
                    return;
                }
                int half = pending.size() / 2; // the API named no item: halve until it does
                send(pending.subList(0, half));
                send(pending.subList(half, pending.size()));
                return;
            } else if (status == 401 || status == 403) {
                stopped.compareAndSet(null, status + " " + problem.path("detail").asString("the API refused the key"));
            } else if (++attempt >= maxAttempts) {
                rejectAll(pending, "not accepted after " + attempt + " attempts: " + status + " " + problem.path("detail").asString(response.body()));
                return;
            } else {
                pause(backoff(attempt));
            }
        }
    }

    private HttpRequest request(List<Page<T>> pages) {
        StringBuilder ndjson = new StringBuilder();
        pages.forEach(page -> ndjson.append(page.json()).append('\n'));
        byte[] body = ndjson.toString().getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Content-Type", "application/x-ndjson").header("Authorization", "Bearer " + key);
        if (gzip) {
            request.header("Content-Encoding", "gzip");
            body = gzipped(body);
        }
        return request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /** Rejects the items the problem names (by index in the batch sent); returns the others (all: none named). */
    private List<Page<T>> rejectNamedItems(List<Page<T>> pages, JsonNode errors) {
        Set<Integer> bad = new HashSet<>();
        for (JsonNode error : errors) {
            int index = error.path("index").asInt(-1);
            if (index < 0 || index >= pages.size()) {
                continue;
            }
            bad.add(index);
            String field = error.hasNonNull("field") ? error.path("field").asString() + ": " : "";
            reject(pages.get(index), "400 " + field + error.path("message").asString(error.path("code").asString("invalid")));
        }
        List<Page<T>> rest = new ArrayList<>(pages.size() - bad.size());
        for (int i = 0; i < pages.size(); i++) {
            if (!bad.contains(i)) {
                rest.add(pages.get(i));
            }
        }
        return rest;
    }

    private void reject(Page<T> page, String reason) {
        rejected.incrementAndGet();
        onRejected.accept(new Rejected<>(page.tag(), page.json(), reason));
    }

    private void rejectAll(List<Page<T>> pages, String reason) {
        pages.forEach(page -> reject(page, reason));
    }

    private static JsonNode problem(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node == null ? JSON.createObjectNode() : node;
        } catch (JacksonException e) {
            return JSON.createObjectNode();
        }
    }

    /** {@code Retry-After} in seconds (a date counts as one second), plus up to a quarter more at random. */
    private static Duration retryAfter(HttpResponse<?> response) {
        long seconds = response.headers().firstValue("Retry-After").map(value -> {
            try {
                return Math.max(1, Long.parseLong(value.trim()));
            } catch (NumberFormatException e) {
                return 1L;
            }
        }).orElse(1L);
        return Duration.ofMillis(seconds * 1000 + ThreadLocalRandom.current().nextLong(seconds * 250 + 1));
    }

    private static Duration backoff(int attempt) {
        long ceiling = Math.min(30_000, 250L << Math.min(attempt, 10));
        return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] gzipped(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** How the client sends: every setting has a default but the API and the key. */
    public static final class Builder<T> {
        private final URI api;
        private final String key;
        private int batchPages = 500;
        private long batchBytes = 4L << 20;
        private int concurrency = 4;
        private int maxAttempts = 8;
        private Duration timeout = Duration.ofSeconds(60);
        private boolean gzip = true;
        private Consumer<Rejected<T>> onRejected = rejected -> { };
        private HttpClient http;

        private Builder(URI api, String key) {
            this.api = Objects.requireNonNull(api, "api");
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("an API key is needed (sluice keys create)");
            }
            this.key = key;
        }

        /** Pages per request, at most the key's burst (default 500). */
        public Builder<T> batchPages(int pages) {
            this.batchPages = positive(pages, "batchPages");
            return this;
        }

        /** Bytes of JSON per request, before gzip (default 4 MiB). */
        public Builder<T> batchBytes(long bytes) {
            this.batchBytes = positive(bytes, "batchBytes");
            return this;
        }

        /** Requests at once (default 4). */
        public Builder<T> concurrency(int requests) {
            this.concurrency = (int) positive(requests, "concurrency");
            return this;
        }

        /** Attempts per batch on failures other than 429/503 (default 8). */
        public Builder<T> maxAttempts(int attempts) {
            this.maxAttempts = (int) positive(attempts, "maxAttempts");
            return this;
        }

        public Builder<T> timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** Gzip the requests (default true). */
        public Builder<T> gzip(boolean gzip) {
            this.gzip = gzip;
            return this;
        }

        /** Told of every page rejected, from a sender thread. */
        public Builder<T> onRejected(Consumer<Rejected<T>> onRejected) {
            this.onRejected = Objects.requireNonNull(onRejected);
            return this;
        }

        public Builder<T> httpClient(HttpClient http) {
            this.http = Objects.requireNonNull(http);
            return this;
        }

        public SluiceClient<T> build() {
            return new SluiceClient<>(this);
        }

        private static int positive(long value, String name) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be at least 1, not " + value);
            }
            return (int) Math.min(Integer.MAX_VALUE, value);
        }
    }
}
