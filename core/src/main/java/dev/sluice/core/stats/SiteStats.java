package dev.sluice.core.stats;

import dev.sluice.core.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A site's statistics as the cache invalidator maintains them from the change feed and the API serves them: live
 * pages, the newest fetch, and the changes applied per minute of commit time over the last
 * {@link #RATE_WINDOW_MINUTES} minutes (for the ingest rate). Stored in Redis as JSON.
 *
 * @param pages live pages (not tombstoned)
 * @param lastFetchedAt the newest fetch time among the site's changes, or null
 * @param changesPerMinute changes applied, by minute of commit time (epoch minutes), oldest first
 */
public record SiteStats(long pages, Instant lastFetchedAt, TreeMap<Long, Long> changesPerMinute) {

    public static final int RATE_WINDOW_MINUTES = 15;

    public static SiteStats empty() {
        return new SiteStats(0, null, new TreeMap<>());
    }

    /**
     * These statistics after some more changes.
     *
     * @param pagesDelta pages that became live minus pages that stopped being live
     * @param fetchedAt the newest fetch time among the changes, or null
     * @param changes the changes by minute of commit time (epoch minutes)
     */
    public SiteStats with(long pagesDelta, Instant fetchedAt, Map<Long, Long> changes) {
        TreeMap<Long, Long> minutes = new TreeMap<>(changesPerMinute);
        changes.forEach((minute, count) -> minutes.merge(minute, count, Long::sum));
        if (!minutes.isEmpty()) {
            minutes.headMap(minutes.lastKey() - RATE_WINDOW_MINUTES, true).clear();
        }
        Instant newest = lastFetchedAt == null || fetchedAt != null && fetchedAt.isAfter(lastFetchedAt) ? fetchedAt : lastFetchedAt;
        return new SiteStats(Math.max(0, pages + pagesDelta), newest, minutes);
    }

    /** Changes per second over the {@code window} before {@code now} (the current minute counted as far as it went). */
    public double changesPerSecond(Instant now, Duration window) {
        long nowMinute = Math.floorDiv(now.getEpochSecond(), 60);
        long windowMinutes = Math.max(1, window.toMinutes());
        long from = nowMinute - windowMinutes + 1;
        long changes = changesPerMinute.subMap(from, true, nowMinute, true).values().stream().mapToLong(Long::longValue).sum();
        double seconds = (windowMinutes - 1) * 60.0 + Math.max(1, Math.floorMod(now.getEpochSecond(), 60));
        return changes / seconds;
    }

    public String toJson() {
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("pages", pages);
        json.put("last_fetched_at", lastFetchedAt == null ? null : lastFetchedAt.toString());
        ObjectNode minutes = json.putObject("changes_per_minute");
        changesPerMinute.forEach((minute, count) -> minutes.put(Long.toString(minute), count));
        return Json.mapper().writeValueAsString(json);
    }

    public static SiteStats fromJson(String text) {
        JsonNode json = Json.mapper().readTree(text);
        TreeMap<Long, Long> minutes = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : json.path("changes_per_minute").properties()) {
            minutes.put(Long.parseLong(entry.getKey()), entry.getValue().asLong());
        }
        String last = json.path("last_fetched_at").asString(null);
        return new SiteStats(json.path("pages").asLong(), last == null ? null : Instant.parse(last), minutes);
    }
}
