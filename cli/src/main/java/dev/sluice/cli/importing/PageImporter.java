package dev.sluice.cli.importing;

import dev.sluice.cli.importing.PageLines.Line;
import dev.sluice.cli.support.Progress;
import dev.sluice.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Posts NDJSON pages to {@code POST /v1/pages/batch} in batches, a bounded number at once. Every line ends either
 * accepted or in the rejects file with its reason; nothing is dropped silently:
 * <ul>
 *   <li>{@code 429} and {@code 503}: waits what {@code Retry-After} says, and sends the same batch again;</li>
 *   <li>{@code 400} naming bad items: those are rejected with the API's reason, the rest is sent again (the API
 *       rejects a batch whole);</li>
 *   <li>{@code 413}: split (to the key's burst when the API names it) and sent again;</li>
 *   <li>other failures (connection lost, {@code 5xx}): retried with backoff, then rejected as not accepted;</li>
 *   <li>{@code 401}/{@code 403}: the import stops; what was not accepted is in the rejects file.</li>
 * </ul>
 */
final class PageImporter {

    record Settings(URI api, String key, int batchSize, int concurrency, int maxAttempts, Duration timeout) {}

    record Summary(long lines, long accepted, long rejected, long retriedPages, long waits, String stoppedBecause) {}

    private final HttpClient http;
    private final Settings settings;
    private final RejectsFile rejects;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong retriedPages = new AtomicLong();
    private final AtomicLong waits = new AtomicLong();
    private final AtomicReference<String> fatal = new AtomicReference<>();

    PageImporter(HttpClient http, Settings settings, RejectsFile rejects) {
        this.http = http;
        this.settings = settings;
        this.rejects = rejects;
    }

    /** Opens a file as pages: NDJSON lines or WARC records. */
    interface Format {
        PageSource open(Path file, AtomicLong bytesRead) throws IOException;
    }

    Summary run(List<Path> files, Format format, AtomicLong bytesRead, Progress progress) throws IOException, InterruptedException {
        ExecutorService senders = Executors.newFixedThreadPool(settings.concurrency());
        Semaphore inFlight = new Semaphore(settings.concurrency() * 2); // bounds memory: batches read ahead of the senders
        long lines = 0;
        long submittedBytes = 0;
        try {
            for (Path file : files) {
                try (PageSource reader = format.open(file, bytesRead)) {
                    List<Line> batch = new ArrayList<>(settings.batchSize());
                    for (Line line = reader.next(); line != null && fatal.get() == null; line = reader.next()) {
                        lines++;
                        if (line.refused() != null) {
                            rejects.add(line, line.refused());
                            continue;
                        }
                        batch.add(line);
                        if (batch.size() == settings.batchSize()) {
                            submittedBytes += submit(senders, inFlight, batch, bytesRead.get() - submittedBytes, progress);
                            batch = new ArrayList<>(settings.batchSize());
                        }
                    }
                    if (!batch.isEmpty()) {
                        submittedBytes += submit(senders, inFlight, batch, bytesRead.get() - submittedBytes, progress);
                    }
                }
                if (fatal.get() != null) {
                    break;
                }
            }
        } finally {
            senders.shutdown();
            senders.awaitTermination(1, TimeUnit.DAYS);
        }
        return new Summary(lines, accepted.get(), rejects.count(), retriedPages.get(), waits.get(), fatal.get());
    }

    /** Sends the batch on a sender thread; the progress moves by its share of the files once it is done. Returns that share. */
    private long submit(ExecutorService senders, Semaphore inFlight, List<Line> batch, long bytes, Progress progress)
            throws InterruptedException {
        inFlight.acquire();
        senders.execute(() -> {
            try {
                send(batch);
            } finally {
                inFlight.release();
                progress.advance(bytes);
            }
        });
        return bytes;
    }

    /** Sends until every line of the batch is accepted or rejected. */
    void send(List<Line> batch) {
        List<Line> pending = new ArrayList<>(batch);
        int attempt = 0;
        while (!pending.isEmpty()) {
            if (fatal.get() != null) {
                rejectAll(pending, "not sent: the import stopped (" + fatal.get() + ")");
                return;
            }
            HttpResponse<String> response;
            try {
                response = http.send(request(pending), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (++attempt >= settings.maxAttempts()) {
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
            List<Line> rest = status == 400 ? rejectNamedItems(pending, problem.path("errors")) : pending;
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
                    rejects.add(pending.get(0), status + " " + problem.path("detail").asString(response.body()));
                    return;
                }
                int half = pending.size() / 2; // the API named no item: halve until it does
                send(pending.subList(0, half));
                send(pending.subList(half, pending.size()));
                return;
            } else if (status == 401 || status == 403) {
                fatal.compareAndSet(null, status + " " + problem.path("detail").asString("the API refused the key"));
            } else if (++attempt >= settings.maxAttempts()) {
                rejectAll(pending, "not accepted after " + attempt + " attempts: " + status + " " + problem.path("detail").asString(response.body()));
                return;
            } else {
                pause(backoff(attempt));
            }
        }
    }

    private void rejectAll(List<Line> lines, String reason) {
        lines.forEach(line -> rejects.add(line, reason));
    }

    /** Rejects the items the problem names (by index in the batch sent); returns the others (all: none named). */
    private List<Line> rejectNamedItems(List<Line> sent, JsonNode errors) {
        Set<Integer> bad = new HashSet<>();
        for (JsonNode error : errors) {
            int index = error.path("index").asInt(-1);
            if (index < 0 || index >= sent.size()) {
                continue;
            }
            bad.add(index);
            String field = error.hasNonNull("field") ? error.path("field").asString() + ": " : "";
            rejects.add(sent.get(index), "400 " + field + error.path("message").asString(error.path("code").asString("invalid")));
        }
        List<Line> rest = new ArrayList<>(sent.size() - bad.size());
        for (int i = 0; i < sent.size(); i++) {
            if (!bad.contains(i)) {
                rest.add(sent.get(i));
            }
        }
        return rest;
    }

    private HttpRequest request(List<Line> lines) {
        String body = lines.stream().map(Line::text).collect(Collectors.joining("\n", "", "\n"));
        return HttpRequest.newBuilder(settings.api().resolve("/v1/pages/batch"))
                .timeout(settings.timeout())
                .header("Content-Type", "application/x-ndjson")
                .header("Authorization", "Bearer " + settings.key())
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static JsonNode problem(String body) {
        try {
            JsonNode node = Json.mapper().readTree(body);
            return node == null ? Json.mapper().createObjectNode() : node;
        } catch (JacksonException e) {
            return Json.mapper().createObjectNode();
        }
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(value -> {
            try {
                return Duration.ofSeconds(Math.max(1, Long.parseLong(value.trim())));
            } catch (NumberFormatException e) {
                return Duration.ofSeconds(1); // an HTTP date: rare from this API; a second is a fair wait
            }
        }).orElse(Duration.ofSeconds(1));
    }

    private static Duration backoff(int attempt) {
        return Duration.ofMillis(Math.min(30_000, 250L << Math.min(attempt, 10)));
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
