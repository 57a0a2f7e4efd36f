package dev.sluice.store.apply;

import dev.sluice.core.json.Json;
import dev.sluice.core.page.Page;
import dev.sluice.core.page.PageUrl;
import java.time.Instant;

/** Pages as a crawler posts them, for the apply path's tests. */
final class TestPages {

    private TestPages() {}

    static Page page(String url, String fetchedAt, String body) {
        return new Page(PageUrl.parse(url), Instant.parse(fetchedAt), 200, "Title of " + url, "text/html", body,
                Json.mapper().createObjectNode().put("crawler", "test"));
    }

    static String id(String url) {
        return PageUrl.parse(url).id();
    }
}
