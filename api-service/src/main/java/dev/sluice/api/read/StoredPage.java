package dev.sluice.api.read;

/**
 * A page as PostgreSQL holds it, rendered once as the response body (UTF-8 JSON) and cached as such: a cache hit
 * serves these bytes as Redis returned them, never decoded into text and encoded back.
 *
 * @param version {@code pages.version}; for an absent page the tombstone's version, or 0 if never stored
 * @param json the response body, or null when the page is absent (deleted or never stored)
 */
record StoredPage(long version, byte[] json) {

    static StoredPage absent(long version) {
        return new StoredPage(version, null);
    }

    boolean exists() {
        return json != null;
    }
}
