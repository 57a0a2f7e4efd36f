package dev.sluice.invalidator.cache;

import dev.sluice.core.json.Json;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One page change as its site's statistics see it; repartitioned by site, so that one task owns each site.
 *
 * @param pagesDelta +1 a page became live, -1 one stopped being live, 0 otherwise
 * @param fetchedAt the page's fetch time after the change, or null
 * @param committedAt when the change committed, or null
 */
record SiteChange(int pagesDelta, Instant fetchedAt, Instant committedAt) {

    static Serde<SiteChange> serde() {
        return Serdes.serdeFrom((topic, change) -> {
            ObjectNode json = Json.mapper().createObjectNode();
            json.put("d", change.pagesDelta);
            if (change.fetchedAt != null) {
                json.put("f", change.fetchedAt.toString());
            }
            if (change.committedAt != null) {
                json.put("c", change.committedAt.toEpochMilli());
            }
            return Json.mapper().writeValueAsBytes(json);
        }, (topic, bytes) -> {
            JsonNode json = Json.mapper().readTree(bytes);
            return new SiteChange(json.path("d").asInt(), json.has("f") ? Instant.parse(json.get("f").asString()) : null,
                    json.has("c") ? Instant.ofEpochMilli(json.get("c").asLong()) : null);
        });
    }
}
