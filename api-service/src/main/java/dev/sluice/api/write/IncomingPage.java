package dev.sluice.api.write;

import dev.sluice.core.page.Violation;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One item of a request as read from the body, before validation: its position, and either its JSON or why it
 * could not be read.
 *
 * @param index position in the batch, from 0
 * @param line for NDJSON, the line it was on (from 1); otherwise 0
 * @param json the item, or null if it could not be read
 * @param posted the item's bytes as posted (embedded in its envelope as is), or null if it could not be read
 * @param unreadable why it could not be read, or null
 */
record IncomingPage(int index, int line, JsonNode json, byte[] posted, Violation unreadable) {

    static IncomingPage of(int index, int line, JsonNode json, byte[] posted) {
        return new IncomingPage(index, line, json, posted, null);
    }

    static IncomingPage unreadable(int index, int line, Violation why) {
        return new IncomingPage(index, line, null, null, why);
    }

    List<Violation> unreadableAsList() {
        return unreadable == null ? List.of() : List.of(unreadable);
    }
}
